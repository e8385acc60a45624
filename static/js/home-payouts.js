// Home payments on the phone (templates/delivery/home_payouts_mine.html), offline with the
// same queue as the postman app (offline-queue.js). Before a payment is queued, the document
// typed is checked on the phone against a slow salted hash (PBKDF2, WebCrypto) of the number
// on record, so a wrong document is caught before the cash changes hands; the server checks
// again when the payment is sent (payouts.services.payout_record, the action's UUID as the
// idempotency key: a resend pays once).
(function () {
  "use strict";

  const app = document.getElementById("home-payouts");
  if (!app || !window.PostOpsOfflineQueue) return;
  const T = JSON.parse(document.getElementById("delivery-messages").textContent);
  const fmt = function (text, params) {
    return text.replace(/%\((\w+)\)s/g, function (_m, key) { return params[key]; });
  };
  const normalize = function (text) { return (text || "").replace(/[\s.\-]/g, "").toUpperCase(); };

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(app.dataset.swUrl, { scope: app.dataset.scope }).catch(function () {});
  }
  const queue = new window.PostOpsOfflineQueue({ name: app.dataset.queue, url: app.dataset.syncUrl });
  const netStatus = document.getElementById("net-status");
  let records = [];

  async function digest(documentType, number) {
    const enc = new TextEncoder();
    const salt = Uint8Array.from(atob(app.dataset.salt), function (c) { return c.charCodeAt(0); });
    const key = await crypto.subtle.importKey("raw", enc.encode(documentType + ":" + number), "PBKDF2", false, ["deriveBits"]);
    const bits = await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash: "SHA-256", salt: salt, iterations: Number(app.dataset.iterations) },
      key,
      256
    );
    return Array.from(new Uint8Array(bits), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function render() {
    const online = navigator.onLine !== false;
    const pending = records.filter(function (r) { return r.state === "queued" || r.state === "sent"; }).length;
    netStatus.dataset.state = online ? "online" : "offline";
    netStatus.textContent = (online ? T.online : T.offline) + (pending ? " · " + fmt(T.pending, { n: pending }) : "");
    const list = document.getElementById("outbox-list");
    list.replaceChildren();
    document.getElementById("outbox-empty").hidden = records.length > 0;
    const latest = {};
    records.slice().reverse().forEach(function (r) {
      latest[r.subject] = latest[r.subject] || r;
      const li = document.createElement("li");
      li.className = "outbox-item";
      li.dataset.state = r.state;
      li.dataset.subject = r.subject;
      const label = document.createElement("span");
      label.className = "outbox-label";
      label.textContent = r.label;
      const state = document.createElement("span");
      state.className = "badge outbox-state";
      state.dataset.state = r.state;
      let text = T[r.state] || r.state;
      if (r.state === "rejected" && r.result) text += ": " + (r.result.message || r.result.reason || "");
      state.textContent = text;
      li.append(label, " ", state);
      list.append(li);
    });
    document.querySelectorAll(".home-line").forEach(function (li) {
      const r = latest["line:" + li.dataset.line];
      const badge = li.querySelector("[data-sync-badge]");
      const submit = li.querySelector("button[type=submit]");
      if (!r) { badge.hidden = true; return; }
      badge.hidden = false;
      badge.dataset.state = r.state;
      badge.textContent = T.paid + " · " + (T[r.state] || r.state);
      // Paid (or waiting to be sent): the form may not pay again; a rejection re-opens it.
      if (submit) submit.disabled = r.state !== "rejected";
    });
  }

  queue.on("change", function (list) { records = list; render(); });
  queue.on("network", render);
  queue.on("auth", function () { netStatus.textContent = T.login; netStatus.dataset.state = "login"; });
  document.getElementById("sync-now").addEventListener("click", function () { queue.sync(); });

  function setError(form, name, message) {
    const box = form.querySelector('[data-field="' + name + '"]');
    box.classList.add("has-error");
    const p = document.createElement("p");
    p.className = "errorlist";
    p.setAttribute("role", "alert");
    p.textContent = message;
    box.append(p);
  }

  document.querySelectorAll(".home-pay-form").forEach(function (form) {
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      form.querySelectorAll(".errorlist").forEach(function (el) { el.remove(); });
      form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
      const receiver = form.querySelector("input[name=receiver]:checked").value;
      const documentType = form.elements.id_document_type.value;
      const number = normalize(form.elements.id_document_number.value);
      if (!number) { setError(form, "id_document_number", T.required_number); return; }
      const submit = form.querySelector("button[type=submit]");
      submit.disabled = true;
      const checks = JSON.parse(form.dataset.checks || "[]");
      const wanted = await digest(documentType, number);
      const ok = checks.some(function (c) { return c.receiver === receiver && c.document === documentType && c.digest === wanted; });
      if (!ok) {
        setError(form, "id_document_number", T.identity_mismatch);
        submit.disabled = false;
        return;
      }
      const proxy = receiver.startsWith("proxy:") ? receiver.split(":")[1] : null;
      await queue.add({
        kind: "home_payout",
        subject: "line:" + form.dataset.line,
        label: fmt(T.pay_label, { name: form.dataset.name }),
        fields: {
          line_id: form.dataset.line,
          receiver: proxy ? "proxy" : "self",
          proxy_id: proxy,
          id_document_type: documentType,
          id_document_number: number,
        },
      });
    });
  });

  queue.start();
  render();
})();
