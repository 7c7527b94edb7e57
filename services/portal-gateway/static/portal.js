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
  // A form sent once is not sent twice by an impatient second click. Only
  // once every listener had its say: a form another script held back (a
  // quote not yet signed) stays usable.
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", (event) => {
      setTimeout(() => {
        if (event.defaultPrevented) return;
        for (const b of form.querySelectorAll("button[type=submit]")) b.disabled = true;
      }, 0);
    });
  }
});

// An open request page follows its events (server-sent, from the gateway)
// and reloads its live parts; without JS the page is current when loaded.
document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  const source = new EventSource(live.dataset.events);
  const refresh = async () => {
    const res = await fetch(live.dataset.page, { headers: { accept: "text/html" } });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), "text/html");
    for (const part of live.querySelectorAll("[data-live]")) {
      const fresh = doc.getElementById(part.id);
      if (fresh) part.replaceWith(document.adoptNode(fresh));
    }
    const status = document.getElementById("live-status");
    if (status) status.textContent = status.dataset.text;
    live.dataset.updates = String(Number(live.dataset.updates || 0) + 1);
  };
  for (const kind of ["submitted", "accepted", "rejected", "commented", "assigned", "work_order", "refresh"]) {
    source.addEventListener(kind, refresh);
  }
  // requests links a work order a moment after the work order's own event.
  source.addEventListener("work_order", () => setTimeout(refresh, 1500));
  // Closing ends the conversation: the forms go too.
  source.addEventListener("closed", () => window.location.reload());
  source.addEventListener("ready", () => { live.dataset.connected = "true"; });
});

// The new-request form: size and type checked before sending, then the
// request, then each file with its own progress bar.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("request-form");
  const input = form && form.querySelector("input[type=file]");
  const list = document.getElementById("upload-progress");
  if (!input || !list || !window.FormData) return;
  const accept = input.accept.split(",").map((a) => a.trim().toLowerCase());
  const typeOk = (f) => accept.some((a) => (a.startsWith(".") ? f.name.toLowerCase().endsWith(a)
    : a.endsWith("/*") ? f.type.startsWith(a.slice(0, -1)) : f.type === a));
  const say = (key, f) => form.dataset[key].replace("{name}", f.name);
  const row = (f, problem) => {
    const li = document.createElement("li");
    li.textContent = f.name;
    if (problem) {
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = problem;
      li.append(p);
    }
    list.append(li);
    return li;
  };
  const check = () => {
    list.replaceChildren();
    let ok = true;
    for (const f of input.files) {
      const problem = f.size > Number(input.dataset.maxBytes) ? say("errSize", f) : typeOk(f) ? "" : say("errType", f);
      ok = ok && !problem;
      row(f, problem);
    }
    return ok;
  };
  input.addEventListener("change", check);
  const send = (url, f) => new Promise((resolve) => {
    const li = row(f, "");
    const bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", f.name);
    li.append(bar);
    const data = new FormData();
    data.append("csrf", form.elements.csrf.value);
    data.append("file", f);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.responseType = "document";
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) bar.value = (100 * e.loaded) / e.total; });
    xhr.addEventListener("loadend", () => {
      const failed = xhr.status >= 400 || xhr.status === 0;
      const reason = failed && xhr.response && xhr.response.getElementById("upload-error");
      li.append(failed ? Object.assign(document.createElement("p"), { className: "error", textContent: reason ? reason.textContent : say("errUpload", f) }) : ` ${form.dataset.done}`);
      if (!failed) bar.value = 100;
      resolve(!failed);
    });
    xhr.send(data);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const buttons = form.querySelectorAll("button[type=submit]");
    const files = [...input.files];
    if (!check()) { for (const b of buttons) b.disabled = false; return; }
    // Sent by this script, not the browser: held here against a second click.
    for (const b of buttons) b.disabled = true;
    const data = new FormData(form);
    data.delete(input.name);
    const res = await fetch(form.action, { method: "POST", body: data });
    const created = new URL(res.url).searchParams.get("created");
    if (!res.ok || !created) { HTMLFormElement.prototype.submit.call(form); return; }
    list.replaceChildren();
    const url = `${new URL(res.url).pathname.replace(/\/requests$/, "")}/requests/${created}/attachments`;
    let ok = true;
    for (const f of files) ok = (await send(url, f)) && ok;
    if (ok) { window.location.assign(res.url); return; }
    const link = Object.assign(document.createElement("a"), { href: url.replace(/\/attachments$/, ""), id: "upload-continue", textContent: form.dataset.continue });
    list.append(link);
  });
});
