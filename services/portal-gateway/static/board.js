// The dispatch board with a mouse: work to plan is dragged onto a
// technician's day; its form gets the technician, the day and the time
// where it was dropped (keeping its length), and is sent. Without this file
// the same forms are filled by hand.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const board = document.getElementById("board");
  if (!board) return;
  const slots = Number(board.dataset.slots) || 32;
  const firstHour = parseInt(board.dataset.firstHour, 10) || 6;
  const slotMinutes = Number(board.dataset.slotMinutes) || 30;
  const vertical = board.classList.contains("board-week");
  let dragged = "";
  const clear = () => {
    for (const cell of board.querySelectorAll(".drop-target")) cell.classList.remove("drop-target");
  };
  const minutes = (value, fallback) => {
    const match = /^(\d{1,2}):(\d{2})/.exec(value || "");
    return match ? Number(match[1]) * 60 + Number(match[2]) : fallback;
  };
  const hhmm = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

  for (const head of document.querySelectorAll(".to-plan-head[draggable=true]")) {
    head.addEventListener("dragstart", (event) => {
      dragged = head.dataset.workOrder;
      event.dataTransfer.setData("text/plain", dragged);
      event.dataTransfer.effectAllowed = "move";
      board.classList.add("dragging");
    });
    head.addEventListener("dragend", () => {
      board.classList.remove("dragging");
      dragged = "";
      clear();
    });
  }

  for (const cell of board.querySelectorAll("td.cell")) {
    cell.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      if (!cell.classList.contains("drop-target")) {
        clear();
        cell.classList.add("drop-target");
      }
    });
    cell.addEventListener("dragleave", (event) => {
      if (!cell.contains(event.relatedTarget)) cell.classList.remove("drop-target");
    });
    cell.addEventListener("drop", (event) => {
      event.preventDefault();
      clear();
      const id = dragged || event.dataTransfer.getData("text/plain");
      const form = id && document.getElementById(`plan-${id}`);
      if (!form) return;
      const track = cell.querySelector(".track") || cell;
      const box = track.getBoundingClientRect();
      const share = vertical ? (event.clientY - box.top) / box.height : (event.clientX - box.left) / box.width;
      const slot = Math.min(slots - 1, Math.max(0, Math.floor(share * slots)));
      const { start, end, date } = form.elements;
      const length = Math.max(slotMinutes, minutes(end.value, 600) - minutes(start.value, 480));
      const from = Math.min(firstHour * 60 + slot * slotMinutes, 24 * 60 - 1 - length);
      start.value = hhmm(from);
      end.value = hhmm(from + length);
      date.value = cell.dataset.date;
      for (const choice of form.querySelectorAll("input[name=technician_ids]")) {
        choice.checked = choice.value === cell.dataset.technician;
      }
      const details = form.closest("details");
      if (details) details.open = true;
      form.requestSubmit();
    });
  }
});
