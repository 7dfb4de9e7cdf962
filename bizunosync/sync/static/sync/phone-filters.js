// On a phone the filter panel sits under the list and, every section open, ran to 20 screens of choices.
// There each section starts folded unless it is in use (a choice other than its first, or a value typed in
// a range); a section staff opened or closed themselves keeps that state (Django's filters.js stores it).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(max-width: 767px)").matches) return;
  let saved = {};
  try { saved = JSON.parse(sessionStorage.getItem("django.admin.filtersState")) || {}; } catch (e) {}
  document.querySelectorAll("#changelist-filter details[data-filter-title]").forEach((section) => {
    if (section.dataset.filterTitle in saved) return;
    const chosen = section.querySelector("li.selected");
    const typed = [...section.querySelectorAll("input:not([type=hidden]):not([type=submit])")].some((i) => i.value);
    const inUse = typed || (chosen !== null && chosen !== section.querySelector("li"));
    if (!inUse) section.open = false;
  });
});
