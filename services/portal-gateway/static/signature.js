// The customer signs on the screen (finger, pen or mouse): the drawing goes
// into the form as a PNG data URL, and then the signer's name is required.
// Without this file work is completed unsigned; a form marked
// `data-signature-required` (accepting a quote) is not sent undrawn.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const pad = document.getElementById("signature-pad");
  const canvas = document.getElementById("signature-canvas");
  const field = document.getElementById("signature-data");
  const signer = document.getElementById("signer-name");
  if (!pad || !canvas || !field || !canvas.getContext) return;
  const ink = canvas.getContext("2d");
  const nameAlwaysRequired = Boolean(signer && signer.required);
  const blank = () => {
    ink.fillStyle = "#fff";
    ink.fillRect(0, 0, canvas.width, canvas.height);
    field.value = "";
    if (signer) signer.required = nameAlwaysRequired;
  };
  blank();
  ink.lineWidth = 3;
  ink.lineCap = "round";
  ink.lineJoin = "round";
  ink.strokeStyle = "#1c2430";
  pad.hidden = false;
  const fallback = document.getElementById("signature-nojs");
  if (fallback) fallback.hidden = true;

  let drawing = false;
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * canvas.width) / box.width,
      ((event.clientY - box.top) * canvas.height) / box.height,
    ];
  };
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    const [x, y] = at(event);
    ink.beginPath();
    ink.moveTo(x, y);
    ink.lineTo(x + 0.5, y + 0.5);
    ink.stroke();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    const [x, y] = at(event);
    ink.lineTo(x, y);
    ink.stroke();
  });
  const done = () => {
    if (!drawing) return;
    drawing = false;
    field.value = canvas.toDataURL("image/png");
    if (signer) signer.required = true;
  };
  canvas.addEventListener("pointerup", done);
  canvas.addEventListener("pointercancel", done);
  const clear = document.getElementById("signature-clear");
  if (clear) clear.addEventListener("click", blank);
  const form = field.form;
  const missing = document.getElementById("signature-missing");
  if (form && "signatureRequired" in form.dataset) {
    form.addEventListener("submit", (event) => {
      if (field.value) return;
      event.preventDefault();
      if (missing) missing.hidden = false;
      canvas.scrollIntoView({ block: "center" });
    });
    canvas.addEventListener("pointerup", () => {
      if (missing) missing.hidden = true;
    });
  }
});
