// Counter acceptance form (templates/items/accept.html). No inline script (CSP).
//
// form[data-enter-advances]:
//   Enter          moves to the next field (a barcode scanner types the number and sends
//                  Enter, so a scan lands in the next field); on the submit button it submits.
//   Ctrl+Enter     submits from anywhere.
//   The commune pickers handle their own Enter first (it picks a result): this handler runs
//   on window, after theirs on document, and leaves prevented events alone.
// input[data-scan] (the number): with a number in it the service select is not needed
//   (the prefix comes from the number), so it is disabled and skipped.
// button[data-sender-fill] (phone lookup results): fills the sender's name and address.
// The submit button is disabled once the form is sent: with the idempotency key a second
// click could not store a second item anyway, but the clerk sees it was taken.
(function () {
  "use strict";

  function fields(form) {
    return Array.from(
      form.querySelectorAll(
        'input:not([type="hidden"]):not([disabled]), select:not([disabled]), textarea:not([disabled]), button[type="submit"]'
      )
    ).filter(function (el) {
      if (!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)) return false;
      // Radio groups: only the checked one, or the first, takes part in the order.
      if (el.type === "radio") {
        const group = form.querySelectorAll('input[type="radio"][name="' + el.name + '"]');
        const checked = Array.from(group).find(function (r) { return r.checked; });
        return el === (checked || group[0]);
      }
      return true;
    });
  }

  window.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.defaultPrevented || event.isComposing) return;
    const target = event.target;
    if (!(target instanceof Element)) return;
    const form = target.closest("form[data-enter-advances]");
    if (!form) return;
    if (event.ctrlKey || event.metaKey) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (target.tagName === "TEXTAREA" || target.tagName === "BUTTON") return;
    if (target.tagName === "A") return;
    event.preventDefault();
    const order = fields(form);
    const next = order[order.indexOf(target) + 1];
    if (next) {
      next.focus();
      if (typeof next.select === "function" && next.tagName === "INPUT") next.select();
    }
  });

  function syncScan(input) {
    const form = input.form;
    const prefix = form && form.querySelector('select[name="prefix"]');
    if (!prefix) return;
    const scanned = input.value.replace(/\s+/g, "") !== "";
    prefix.disabled = scanned;
  }

  document.addEventListener("input", function (event) {
    const el = event.target;
    if (el instanceof HTMLInputElement && el.hasAttribute("data-scan")) {
      // Scanners and people type lower case or with spaces; S10 numbers are upper case.
      const upper = el.value.toUpperCase();
      if (upper !== el.value) el.value = upper;
      syncScan(el);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-scan]").forEach(syncScan);
  });

  function fillPicker(picker, code, label) {
    if (!picker) return;
    const hidden = picker.querySelector("[data-commune-code]");
    const search = picker.querySelector("[data-commune-search]");
    const chosen = picker.querySelector("[data-commune-chosen]");
    hidden.value = code;
    search.value = label;
    search.dataset.label = label;
    if (chosen) chosen.textContent = code ? (picker.dataset.chosenPrefix || "") + ": " + code + " · " + label : "";
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element && event.target.closest("button[data-sender-fill]");
    if (!button) return;
    event.preventDefault();
    const form = document.getElementById("accept-form");
    if (!form) return;
    form.elements.namedItem("sender_name").value = button.dataset.name || "";
    form.elements.namedItem("sender_street").value = button.dataset.street || "";
    const hidden = form.querySelector('input[name="sender_commune"]');
    fillPicker(hidden && hidden.closest("[data-commune-picker]"), button.dataset.communeCode || "", button.dataset.communeLabel || "");
    const box = document.getElementById("sender-suggestions");
    if (box) box.replaceChildren();
    const receiver = form.elements.namedItem("receiver_name");
    if (receiver) receiver.focus();
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-enter-advances")) return;
    if (event.defaultPrevented) return;
    const button = form.querySelector("[data-accept-submit]");
    if (!button) return;
    if (form.dataset.sent) {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    // Disable after the browser has taken the form's values (a disabled button is fine).
    window.setTimeout(function () { button.disabled = true; button.setAttribute("aria-busy", "true"); }, 0);
  });
})();
