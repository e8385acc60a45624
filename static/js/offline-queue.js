// PostOps offline queue: actions recorded on a phone without the network, kept in
// IndexedDB and sent when the network returns. Reusable: the postman app (delivery.js) and
// the home-payout page use it the same way.
//
//   const queue = new PostOpsOfflineQueue({name: "postops-delivery-42", url: "/delivery/sync/"});
//   queue.on("change", (records) => render(records));
//   await queue.add({kind: "deliver", subject: "EB125966888VN", label: "…",
//                    fields: {...}, files: {signature: blob}});
//   queue.start();   // sends now, on "online", when the page becomes visible, and every 30 s
//
// Each action carries its own id (a UUID, the server's `event_id`) and the time it happened
// on the phone (corrected by the offset to the server clock measured at the last contact).
// The server answers per action, like the scanners' batch: "accepted", "duplicate" (already
// stored: a resend changes nothing) or "rejected" with a reason. An action moves through
// the states queued → sent → accepted | rejected; a failed request puts it back to queued.
// Once accepted, the personal data it carried (names, ID numbers, signature) is dropped from
// the phone; only a label and the result are kept, for today's list.
//
// Request: POST multipart to `url` with the field "actions" (JSON list of
// {event_id, occurred_at, kind, ...fields}) and one file part per file, named
// "<file name>:<event_id>"; header X-CSRFToken from the csrftoken cookie. Response JSON:
// {"results": [{"event_id", "result", "reason", "message", "details", ...}], "server_time"}.
(function () {
  "use strict";

  const STORE = "actions";
  const DB_VERSION = 1;
  const DONE = new Set(["accepted", "duplicate"]);
  const KEEP_DONE_MS = 2 * 24 * 3600 * 1000;

  function uuid4() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function promisify(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function openDb(name) {
    const request = window.indexedDB.open(name, DB_VERSION);
    request.onupgradeneeded = function () {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE)) {
        const store = db.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("createdAt", "createdAt");
      }
    };
    return promisify(request);
  }

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  class OfflineQueue {
    constructor(options) {
      this.name = options.name;
      this.url = options.url;
      this.batchSize = options.batchSize || 20;
      this.maxBatchBytes = options.maxBatchBytes || 1500000;
      this.retryMs = options.retryMs || 30000;
      this.csrfCookie = options.csrfCookie || "csrftoken";
      this.offsetKey = this.name + ":clock-offset";
      this.listeners = {};
      this.syncing = null;
      this.db = openDb(this.name);
    }

    on(event, callback) {
      (this.listeners[event] = this.listeners[event] || []).push(callback);
      return this;
    }

    emit(event, detail) {
      (this.listeners[event] || []).forEach(function (cb) {
        try { cb(detail); } catch (err) { window.setTimeout(function () { throw err; }); }
      });
    }

    // The server clock minus the phone clock, in ms, as last measured.
    get clockOffset() {
      const value = Number(window.localStorage.getItem(this.offsetKey));
      return Number.isFinite(value) ? value : 0;
    }

    measureClock(serverTime, sentAt, receivedAt) {
      const server = Date.parse(serverTime);
      if (!Number.isFinite(server)) return;
      const local = (sentAt + receivedAt) / 2;
      window.localStorage.setItem(this.offsetKey, String(Math.round(server - local)));
    }

    now() {
      return new Date(Date.now() + this.clockOffset);
    }

    async tx(mode, fn) {
      const db = await this.db;
      return new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        const store = transaction.objectStore(STORE);
        let result;
        Promise.resolve(fn(store)).then(function (value) { result = value; }, reject);
        transaction.oncomplete = function () { resolve(result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    }

    async all() {
      const records = await this.tx("readonly", function (store) { return promisify(store.getAll()); });
      return records.sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0; });
    }

    async get(id) {
      return this.tx("readonly", function (store) { return promisify(store.get(id)); });
    }

    async put(record) {
      record.updatedAt = new Date().toISOString();
      await this.tx("readwrite", function (store) { return promisify(store.put(record)); });
      return record;
    }

    async changed() {
      this.emit("change", await this.all());
    }

    // Record an action. `fields` go to the server as they are; `files` are Blobs.
    async add(action) {
      const record = {
        id: action.id || uuid4(),
        kind: action.kind,
        subject: action.subject || "",
        label: action.label || action.kind,
        createdAt: (action.at || this.now()).toISOString(),
        fields: action.fields || {},
        files: action.files || {},
        state: "queued",
        result: null,
        tries: 0,
      };
      await this.put(record);
      await this.changed();
      this.sync();
      return record;
    }

    async pendingCount() {
      return (await this.all()).filter(function (r) { return r.state === "queued" || r.state === "sent"; }).length;
    }

    // Send what is waiting; one run at a time. Resolves when done (or offline).
    sync() {
      if (!this.syncing) {
        const self = this;
        this.syncing = this.run().finally(function () { self.syncing = null; });
      }
      return this.syncing;
    }

    async run() {
      if (navigator.onLine === false) return;
      for (;;) {
        const waiting = (await this.all()).filter(function (r) { return r.state === "queued" || r.state === "sent"; });
        if (!waiting.length) return;
        const batch = [];
        let bytes = 0;
        for (const r of waiting) {
          const size = Object.values(r.files || {}).reduce(function (n, f) { return n + (f && f.size ? f.size : 0); }, 0);
          if (batch.length && (batch.length >= this.batchSize || bytes + size > this.maxBatchBytes)) break;
          batch.push(r);
          bytes += size;
        }
        const ok = await this.send(batch);
        if (!ok) return;
      }
    }

    async send(batch) {
      for (const r of batch) {
        r.state = "sent";
        r.tries = (r.tries || 0) + 1;
        await this.put(r);
      }
      await this.changed();
      const body = new FormData();
      body.append("actions", JSON.stringify(batch.map(function (r) {
        return Object.assign({}, r.fields, { event_id: r.id, kind: r.kind, occurred_at: r.createdAt });
      })));
      batch.forEach(function (r) {
        Object.entries(r.files || {}).forEach(function ([name, blob]) {
          if (blob) body.append(name + ":" + r.id, blob, name);
        });
      });
      const sentAt = Date.now();
      let response;
      let data = null;
      try {
        response = await window.fetch(this.url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": cookie(this.csrfCookie), Accept: "application/json" },
          redirect: "manual",
        });
        if (response.ok) data = await response.json();
      } catch (err) {
        response = null;
      }
      if (!data || !Array.isArray(data.results)) {
        // Offline, a server error, or the session ended (a redirect to the login page):
        // everything goes back to the queue and is sent again later.
        for (const r of batch) { r.state = "queued"; await this.put(r); }
        await this.changed();
        const auth = response && (response.type === "opaqueredirect" || response.status === 401 || response.status === 403);
        this.emit(auth ? "auth" : "error", response ? response.status : 0);
        return false;
      }
      this.measureClock(data.server_time, sentAt, Date.now());
      const byId = {};
      data.results.forEach(function (res) { byId[res.event_id] = res; });
      for (const r of batch) {
        const res = byId[r.id];
        if (!res) { r.state = "queued"; await this.put(r); continue; }
        r.result = res;
        r.state = res.result === "rejected" ? "rejected" : "accepted";
        if (r.state === "accepted") {
          // Stored on the server: keep no personal data on the phone.
          r.fields = {};
          r.files = {};
        }
        await this.put(r);
      }
      await this.changed();
      this.emit("synced", data.results);
      return true;
    }

    // Forget a rejected action (the person has read the reason), or old finished ones.
    async remove(id) {
      await this.tx("readwrite", function (store) { return promisify(store.delete(id)); });
      await this.changed();
    }

    async prune() {
      const limit = Date.now() - KEEP_DONE_MS;
      const old = (await this.all()).filter(function (r) { return DONE.has(r.state) && Date.parse(r.updatedAt) < limit; });
      if (!old.length) return;
      await this.tx("readwrite", function (store) {
        old.forEach(function (r) { store.delete(r.id); });
      });
    }

    // Measure the clock (GET on the sync URL answers the server time) when online.
    async ping() {
      if (navigator.onLine === false) return;
      const sentAt = Date.now();
      try {
        const response = await window.fetch(this.url, { credentials: "same-origin", headers: { Accept: "application/json" }, redirect: "manual" });
        if (response.ok) this.measureClock((await response.json()).server_time, sentAt, Date.now());
      } catch (err) {
        // Offline: keep the last offset.
      }
    }

    start() {
      const self = this;
      window.addEventListener("online", function () { self.emit("network", true); self.sync(); });
      window.addEventListener("offline", function () { self.emit("network", false); });
      document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") self.sync();
      });
      window.setInterval(function () { self.sync(); }, this.retryMs);
      this.prune().then(function () { return self.changed(); }).then(function () {
        return self.ping();
      }).then(function () { return self.sync(); });
      return this;
    }
  }

  OfflineQueue.uuid4 = uuid4;
  window.PostOpsOfflineQueue = OfflineQueue;
})();
