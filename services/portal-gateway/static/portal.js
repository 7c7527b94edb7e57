// Progressive enhancement only: every form works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // "Copy" buttons copy the field they name; without JS the field is selectable.
  for (const button of document.querySelectorAll("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const field = document.getElementById(button.dataset.copy);
      if (!field) return;
      field.select();
      try {
        await navigator.clipboard.writeText(field.value);
      } catch {
        document.execCommand("copy");
      }
      button.textContent = button.dataset.done || button.textContent;
    });
  }
  // A form sent once is not sent twice by an impatient second click.
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = true;
    });
  }
});
