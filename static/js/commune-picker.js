// Commune picker (postops.network.forms.CommunePickerWidget). No inline script (CSP).
//
// Markup: div[data-commune-picker] holding
//   input[type=hidden][data-commune-code]   the 5-digit code the form submits
//   input[type=search][data-commune-search] the search box; htmx GETs the results partial
//   div[data-commune-results]               where htmx puts button.commune-option items
//   p[data-commune-chosen]                  the chosen commune, read out by screen readers
// Keyboard: ↓ from the box moves into the results, ↑/↓ move between them, Enter picks
// (Enter in the box picks the first result instead of submitting the form), Esc closes.
(function () {
  "use strict";

  function pickerOf(el) {
    return el instanceof Element ? el.closest("[data-commune-picker]") : null;
  }

  function parts(picker) {
    return {
      code: picker.querySelector("[data-commune-code]"),
      search: picker.querySelector("[data-commune-search]"),
      results: picker.querySelector("[data-commune-results]"),
      chosen: picker.querySelector("[data-commune-chosen]"),
    };
  }

  function options(picker) {
    return Array.from(picker.querySelectorAll("button.commune-option"));
  }

  function close(picker) {
    const p = parts(picker);
    p.results.replaceChildren();
    p.search.setAttribute("aria-expanded", "false");
  }

  function choose(picker, option) {
    const p = parts(picker);
    const label = option.dataset.label || "";
    p.code.value = option.dataset.code || "";
    p.search.value = label;
    p.search.dataset.label = label;
    if (p.chosen) {
      p.chosen.textContent = (picker.dataset.chosenPrefix || "") + ": " + p.code.value + " · " + label;
    }
    close(picker);
    p.code.dispatchEvent(new Event("change", { bubbles: true }));
    p.search.focus();
  }

  document.addEventListener("click", function (event) {
    const option = event.target instanceof Element && event.target.closest("button.commune-option");
    const picker = option && pickerOf(option);
    if (picker) {
      event.preventDefault();
      choose(picker, option);
    }
  });

  // Typing something else than the chosen label forgets the chosen code: a stale code must
  // never be submitted under a different name.
  document.addEventListener("input", function (event) {
    const search = event.target;
    if (!(search instanceof Element) || !search.matches("[data-commune-search]")) return;
    const picker = pickerOf(search);
    const p = parts(picker);
    if (search.value !== (search.dataset.label || "")) {
      p.code.value = "";
      if (p.chosen) p.chosen.textContent = "";
    }
  });

  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const picker = pickerOf(target);
    if (!picker) return;
    const list = options(picker);
    const p = parts(picker);
    if (target === p.search) {
      if (event.key === "ArrowDown" && list.length) {
        event.preventDefault();
        list[0].focus();
      } else if (event.key === "Enter" && list.length) {
        event.preventDefault();
        choose(picker, list[0]);
      } else if (event.key === "Escape" && list.length) {
        event.preventDefault();
        close(picker);
      }
      return;
    }
    const index = list.indexOf(target);
    if (index < 0) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      (list[index + 1] || list[index]).focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (index === 0 ? p.search : list[index - 1]).focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(picker);
      p.search.focus();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const picker = pickerOf(event.target);
    if (!picker) return;
    parts(picker).search.setAttribute("aria-expanded", options(picker).length ? "true" : "false");
  });
})();
