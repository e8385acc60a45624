{% autoescape off %}// PostOps postman app: service worker (served by postops.delivery.views.service_worker).
// Keeps the app shell and today's run sheet so that the app opens without the network:
//   - static assets: from the cache first (their URLs change when their content does);
//   - the app pages: from the network first, the cached copy when offline; a response that
//     is the login page (session ended) drops the cached copy (personal data);
//   - everything else, and every POST, goes to the network untouched: actions are queued by
//     the page itself (static/js/offline-queue.js), never by this worker.
"use strict";

const VERSION = {{ version }};
const CACHE = "postops-delivery-" + VERSION;
const APP_URL = {{ app_url }};
// Pages kept for offline use: the run sheet and the home payments.
const PAGES = {{ pages }};
const LOGIN_URL = {{ login_url }};
const ASSETS = {{ assets }};

async function cachePages(cache) {
  for (const page of PAGES) {
    try {
      const response = await fetch(page, { credentials: "same-origin" });
      // A page the user's role may not open (403) or a login redirect is not kept.
      if (response.ok && !response.redirected) await cache.put(page, response);
    } catch (err) {
      // Installed while offline: the page is cached the next time it is opened online.
    }
  }
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(async function (cache) {
      await cache.addAll(ASSETS);
      await cachePages(cache);
      await self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(
        keys.filter(function (key) { return key.startsWith("postops-delivery-") && key !== CACHE; })
          .map(function (key) { return caches.delete(key); })
      );
    }).then(function () { return self.clients.claim(); })
  );
});

async function appPage(request, page) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    const url = new URL(response.url || request.url);
    if (response.redirected && url.pathname.startsWith(LOGIN_URL)) {
      // The session ended: no personal data stays in the cache.
      await Promise.all(PAGES.map(function (p) { return cache.delete(p); }));
    } else if (response.ok) {
      await cache.put(page, response.clone());
    }
    return response;
  } catch (err) {
    const cached = await cache.match(page);
    if (cached) return cached;
    throw err;
  }
}

async function asset(request) {
  const cached = await caches.match(request, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.includes(url.pathname) && request.mode === "navigate") {
    event.respondWith(appPage(request, url.pathname));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(asset(request));
  }
});
{% endautoescape %}
