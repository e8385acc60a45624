// The postman app (templates/delivery/app.html): scan or type a number, deliver with proof or
// record a failed attempt. Works offline: the page is kept by the service worker
// (/delivery/sw.js) and every action goes through the offline queue (offline-queue.js), which
// sends it when the network is there. Texts come translated in #delivery-messages.
(function () {
  "use strict";

  const app = document.getElementById("postman-app");
  if (!app || !window.PostOpsOfflineQueue) return;
  const T = JSON.parse(document.getElementById("delivery-messages").textContent);
  const fmt = function (text, params) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return params[key]; });
  };
  const vnd = function (n) { return Number(n).toLocaleString("vi-VN").replace(/,/g, ".") + " ₫"; };
  const normalize = function (text) { return (text || "").replace(/[\s.\-]/g, "").toUpperCase(); };

  // --- Service worker: keep the app and today's run sheet for offline use --------------------
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(app.dataset.swUrl, { scope: app.dataset.scope }).catch(function () {});
  }

  const queue = new window.PostOpsOfflineQueue({ name: app.dataset.queue, url: app.dataset.syncUrl });
  const dialog = document.getElementById("item-dialog");
  const deliverForm = document.getElementById("deliver-form");
  const failForm = document.getElementById("fail-form");
  const pad = new window.PostOpsSignaturePad(document.getElementById("signature-pad"), {
    onChange: function () { clearError(deliverForm, "signature"); },
  });
  let current = null; // the run sheet button of the open item

  // --- Network state and the outbox ----------------------------------------------------------
  const netStatus = document.getElementById("net-status");
  let records = [];

  function renderNet() {
    const online = navigator.onLine !== false;
    const pending = records.filter(function (r) { return r.state === "queued" || r.state === "sent"; }).length;
    netStatus.dataset.state = online ? "online" : "offline";
    let text = online ? T.online : T.offline;
    if (pending) text += " · " + fmt(T.pending, { n: pending });
    netStatus.textContent = text;
    document.querySelectorAll("form[data-requires-sync]").forEach(function (form) {
      const blocked = pending > 0 || !online;
      form.querySelector("button[type=submit]").disabled = blocked;
      const wait = form.querySelector("[data-handover-wait]");
      wait.hidden = !blocked;
      wait.textContent = blocked ? T.handover_wait : "";
    });
  }

  function outcomeText(result) {
    if (!result || !result.outcome) return "";
    if (result.outcome === "retry" && result.next_attempt_on) {
      const d = result.next_attempt_on.split("-");
      return fmt(T.outcome_retry, { date: d[2] + "/" + d[1] + "/" + d[0] });
    }
    return T["outcome_" + result.outcome] || "";
  }

  function stateText(r) {
    let text = T[r.state] || r.state;
    if (r.state === "rejected" && r.result) {
      text += ": " + (r.result.message || r.result.reason || "");
      const details = r.result.details || {};
      const parts = Object.values(details).flat();
      if (parts.length) text += " " + parts.join(" ");
    }
    return text;
  }

  function renderOutbox() {
    const list = document.getElementById("outbox-list");
    list.replaceChildren();
    const mine = records.slice().reverse();
    document.getElementById("outbox-empty").hidden = mine.length > 0;
    mine.forEach(function (r) {
      const li = document.createElement("li");
      li.className = "outbox-item";
      li.dataset.state = r.state;
      li.dataset.id = r.id;
      li.dataset.subject = r.subject;
      const label = document.createElement("span");
      label.className = "outbox-label";
      label.textContent = r.label;
      const time = document.createElement("time");
      time.dateTime = r.createdAt;
      time.textContent = new Date(r.createdAt).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
      const state = document.createElement("span");
      state.className = "badge outbox-state";
      state.dataset.state = r.state;
      state.textContent = stateText(r);
      li.append(label, " ", time, " ", state);
      const outcome = outcomeText(r.result);
      if (outcome && r.state === "accepted") {
        const o = document.createElement("span");
        o.className = "outbox-outcome";
        o.textContent = outcome;
        li.append(" ", o);
      }
      list.append(li);
    });
  }

  function renderRunSheet() {
    // The latest action per item decides its badge (a failure then a delivery: delivered).
    const latest = {};
    records.forEach(function (r) { latest[r.subject] = r; });
    document.querySelectorAll(".rs-item").forEach(function (li) {
      const r = latest[li.dataset.number];
      const badge = li.querySelector("[data-sync-badge]");
      if (!r) {
        badge.hidden = true;
        delete li.dataset.local;
        return;
      }
      const what = r.kind === "deliver" ? T.outcome_delivered : outcomeText(r.result) || T.failed_attempt;
      badge.hidden = false;
      badge.dataset.state = r.state;
      badge.textContent = what + " · " + (T[r.state] || r.state);
      li.dataset.local = r.state === "rejected" ? "" : r.kind;
    });
  }

  queue.on("change", function (list) {
    records = list;
    renderNet();
    renderOutbox();
    renderRunSheet();
  });
  queue.on("network", renderNet);
  queue.on("auth", function () { netStatus.textContent = T.login; netStatus.dataset.state = "login"; });
  document.getElementById("sync-now").addEventListener("click", function () { queue.sync(); });

  // --- Scan or type a number ----------------------------------------------------------------
  const scanForm = document.getElementById("scan-form");
  const scanInput = document.getElementById("scan-input");
  const scanError = document.getElementById("scan-error");
  scanForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const number = normalize(scanInput.value);
    scanError.hidden = true;
    if (!/^[A-Z]{2}\d{9}[A-Z]{2}$/.test(number)) {
      scanError.textContent = T.invalid_number;
      scanError.hidden = false;
      return;
    }
    const button = document.querySelector('[data-open-item="' + number + '"]');
    if (!button) {
      scanError.textContent = T.not_found;
      scanError.hidden = false;
      return;
    }
    scanInput.value = "";
    openItem(button);
  });

  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-open-item]");
    if (opener) openItem(opener);
    if (event.target.closest("[data-close-dialog]")) dialog.close();
    const tab = event.target.closest("[data-tab]");
    if (tab) showTab(tab.dataset.tab);
    if (event.target.closest("[data-signature-clear]")) pad.clear();
  });

  // --- The item dialog -------------------------------------------------------------------------
  function showTab(name) {
    document.querySelectorAll("[data-tab]").forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
    });
    deliverForm.hidden = name !== "deliver";
    failForm.hidden = name !== "fail";
  }

  function openItem(button) {
    current = button;
    const d = button.dataset;
    document.getElementById("item-title").textContent = d.openItem;
    dialog.querySelector('[data-fact="receiver"]').textContent = d.receiver;
    dialog.querySelector('[data-fact="address"]').textContent = d.address;
    const phone = dialog.querySelector('[data-fact="phone"]');
    phone.textContent = d.phone;
    phone.href = "tel:" + d.phone;
    dialog.querySelector('[data-fact="service"]').textContent = d.service;
    dialog.querySelectorAll('[data-fact="cod"]').forEach(function (el) { el.textContent = d.codText; });
    const hasCod = Number(d.cod) > 0;
    dialog.querySelectorAll(".cod-only").forEach(function (el) { el.hidden = !hasCod; });
    dialog.querySelectorAll(".id-only").forEach(function (el) { el.hidden = d.idRequired !== "1"; });
    deliverForm.reset();
    toggleProxy();
    failForm.reset();
    deliverForm.elements.recipient_name.value = d.receiver;
    clearErrors(deliverForm);
    clearErrors(failForm);
    pad.clear();
    showTab("deliver");
    dialog.showModal();
  }

  function fieldBox(form, name) {
    return form.querySelector('[data-field="' + name + '"]');
  }

  function clearError(form, name) {
    const box = fieldBox(form, name);
    if (!box) return;
    box.classList.remove("has-error");
    const old = box.querySelector(".errorlist");
    if (old) old.remove();
    box.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-field]").forEach(function (box) { clearError(form, box.dataset.field); });
  }

  function addError(form, name, message) {
    const box = fieldBox(form, name);
    box.classList.add("has-error");
    const p = document.createElement("p");
    p.className = "errorlist";
    p.setAttribute("role", "alert");
    p.textContent = message;
    box.append(p);
    const input = box.querySelector("input, select");
    if (input) input.setAttribute("aria-invalid", "true");
  }

  function amount(text) {
    const digits = (text || "").replace(/[.\s\u00a0₫]/g, "");
    return /^\d+$/.test(digits) ? Number(digits) : null;
  }

  // Photos are made smaller on the phone (longest side 1280 px, JPEG) before they are queued.
  async function shrinkPhoto(file) {
    if (!file) return null;
    try {
      const bitmap = await window.createImageBitmap(file);
      const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return await new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", 0.75); });
    } catch (err) {
      return file;
    }
  }

  // An administrative result handed to a proxy: the written authorisation's number and date.
  function proxyNeedsAuthorisation() {
    if (!current || current.dataset.proxyAuth !== "1") return false;
    const checked = deliverForm.querySelector("input[name=relation]:checked");
    return !!checked && checked.value !== "self";
  }

  function toggleProxy() {
    const show = proxyNeedsAuthorisation();
    deliverForm.querySelectorAll(".proxy-only").forEach(function (el) { el.hidden = !show; });
  }

  deliverForm.addEventListener("change", function (event) {
    if (event.target.name === "relation") toggleProxy();
  });

  deliverForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!current) return;
    const form = deliverForm;
    const d = current.dataset;
    clearErrors(form);
    const f = form.elements;
    let ok = true;
    const fields = {
      number: d.openItem,
      recipient_name: f.recipient_name.value.trim(),
      relation: (form.querySelector("input[name=relation]:checked") || {}).value || "",
      note: f.note.value.trim(),
    };
    if (!fields.recipient_name) { addError(form, "recipient_name", T.required_name); ok = false; }
    if (!fields.relation) { addError(form, "relation", T.required_relation); ok = false; }
    if (d.idRequired === "1") {
      fields.id_document = f.id_document.value;
      fields.id_number = normalize(f.id_number.value);
      if (!fields.id_number) { addError(form, "id_number", T.required_id); ok = false; }
      else if (fields.id_document === "cccd" && !/^\d{12}$/.test(fields.id_number)) {
        addError(form, "id_number", T.bad_cccd);
        ok = false;
      }
    }
    if (proxyNeedsAuthorisation()) {
      fields.authorisation_number = f.authorisation_number.value.trim();
      fields.authorisation_date = f.authorisation_date.value;
      if (!fields.authorisation_number || !fields.authorisation_date) {
        addError(form, "authorisation_number", T.required_authorisation);
        ok = false;
      }
    }
    if (Number(d.cod) > 0) {
      const got = amount(f.cod_collected.value);
      fields.cod_collected = got === null ? "" : String(got);
      if (got !== Number(d.cod)) {
        addError(form, "cod_collected", fmt(T.cod_mismatch, { amount: d.codText.replace(/\s*₫$/, "") }));
        ok = false;
      }
    }
    if (pad.isEmpty()) { addError(form, "signature", T.required_signature); ok = false; }
    if (!ok) {
      const first = form.querySelector(".has-error input, .has-error select, .has-error canvas");
      if (first && first.focus) first.focus();
      return;
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      const files = { signature: await pad.toBlob() };
      const photo = await shrinkPhoto(f.photo.files[0]);
      if (photo) files.photo = photo;
      await queue.add({
        kind: "deliver",
        subject: d.openItem,
        label: fmt(T.deliver_label, { number: d.openItem }),
        fields: fields,
        files: files,
      });
      dialog.close();
    } finally {
      submit.disabled = false;
    }
  });

  failForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!current) return;
    const form = failForm;
    clearErrors(form);
    const fields = {
      number: current.dataset.openItem,
      reason_code: form.elements.reason_code.value,
      action_code: form.elements.action_code.value,
      note: form.elements.note.value.trim(),
    };
    let ok = true;
    if (!fields.reason_code) { addError(form, "reason_code", T.required_reason); ok = false; }
    if (!fields.action_code) { addError(form, "action_code", T.required_action); ok = false; }
    if (!ok) return;
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      await queue.add({
        kind: "fail",
        subject: fields.number,
        label: fmt(T.fail_label, { number: fields.number }),
        fields: fields,
      });
      dialog.close();
    } finally {
      submit.disabled = false;
    }
  });

  // The handover needs every action on the server first (and the network).
  document.querySelectorAll("form[data-requires-sync]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      const pending = records.some(function (r) { return r.state === "queued" || r.state === "sent"; });
      if (pending || navigator.onLine === false) event.preventDefault();
    });
  });

  queue.start();
  renderNet();
})();
