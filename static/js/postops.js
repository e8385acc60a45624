// PostOps behaviour. No inline script anywhere (CSP script-src 'self'): pages opt in with
// data-* attributes and this file wires them up.
//
// Keyboard scheme (shown in the counter layout's footer and its "?" dialog):
//   /            focus the page's search field: [data-hotkey-search], else input[type=search]
//   Alt+<letter> activate the element with data-hotkey="<letter>" (a link or button is
//                clicked, a field is focused). Conventions: Alt+N the page's "new" action,
//                Alt+H the start page, Alt+O offices, Alt+K audit log.
//   ?            open the shortcut help (dialog#shortcut-help); Esc closes it
// Letters are matched on the physical key (event.code), so the scheme also works with a
// Vietnamese input method (Telex/VNI) switched on and with Option on a Mac.
//
// Other hooks:
//   [data-dialog-open="ID"]  button that opens <dialog id="ID">
//   details.account-menu     closed by Esc or a click outside it
//   form[data-confirm="…"]   asks before submitting (destructive actions)
(function () {
  "use strict";

  function isTyping(target) {
    if (!target || !(target instanceof Element)) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    const type = (target.getAttribute("type") || "text").toLowerCase();
    return !["button", "submit", "reset", "checkbox", "radio", "file", "image"].includes(type);
  }

  function isVisible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  }

  function firstVisible(selector) {
    return Array.from(document.querySelectorAll(selector)).find(isVisible) || null;
  }

  function activate(el) {
    if (isTyping(el) || el.tagName === "SELECT") {
      el.focus();
      if (typeof el.select === "function") el.select();
    } else {
      el.click();
    }
  }

  function openDialog(id) {
    const dialog = document.getElementById(id);
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }

  function letterOf(event) {
    const m = /^Key([A-Z])$/.exec(event.code || "");
    return m ? m[1].toLowerCase() : "";
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;

    if (event.altKey && !event.ctrlKey && !event.metaKey) {
      const letter = letterOf(event);
      if (!letter) return;
      const el = firstVisible('[data-hotkey="' + letter + '"]');
      if (el) {
        event.preventDefault();
        activate(el);
      }
      return;
    }

    if (event.ctrlKey || event.metaKey || isTyping(event.target)) return;

    if (event.key === "/") {
      const search = firstVisible("[data-hotkey-search]") || firstVisible('input[type="search"]');
      if (search) {
        event.preventDefault();
        search.focus();
        if (typeof search.select === "function") search.select();
      }
    } else if (event.key === "?") {
      if (document.getElementById("shortcut-help")) {
        event.preventDefault();
        openDialog("shortcut-help");
      }
    }
  });

  // Menus are <details>: Esc or a click elsewhere closes them, as users expect of a menu.
  function closeMenus(except) {
    document.querySelectorAll("details.account-menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  document.addEventListener("keyup", function (event) {
    if (event.key === "Escape") {
      const open = document.querySelector("details.account-menu[open]");
      if (open) {
        closeMenus(null);
        open.querySelector("summary").focus();
      }
    }
  });

  document.addEventListener("click", function (event) {
    const target = event.target instanceof Element ? event.target : null;
    closeMenus(target && target.closest("details.account-menu"));
    const opener = target && target.closest("[data-dialog-open]");
    if (opener) {
      event.preventDefault();
      openDialog(opener.getAttribute("data-dialog-open"));
    }
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    }
    // htmx searches push their URL (hx-push-url): switch language on the page as it is now,
    // not as it was rendered, so the results stay in view.
    if (form instanceof HTMLFormElement && form.classList.contains("lang-switch")) {
      const next = form.querySelector("input[name=next]");
      if (next) next.value = window.location.pathname + window.location.search;
    }
  });

  // Show a server error on an htmx request instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    const status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    // The sentence comes translated from base.html (body[data-msg-server-error]).
    const text = (document.body.dataset.msgServerError || "HTTP error") + " (" + status + ")";
    let box = document.getElementById("htmx-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "htmx-error";
      box.className = "notice notice-error";
      box.setAttribute("role", "alert");
      const main = document.getElementById("main");
      if (main) main.prepend(box);
    }
    box.textContent = text;
  });
})();
