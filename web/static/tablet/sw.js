// The tablet app's service worker (scope /t/). It keeps the app shell and
// the string tables for offline use; the data (outbox, drafts, assignments,
// the questionnaire) is in IndexedDB, which the worker never touches. A new
// version installs beside the old one and waits: the page activates it only
// when the outbox holds nothing unsent and no interview is open (app.js),
// and even then the data stays where it is.

const BUILD = "__BUILD__"; // the server stamps a hash of the app's files here
const CACHE = `minyi-tablet-${BUILD}`;
const SHELL = [
  "/t/", "/t/app.js", "/t/ui.js", "/t/engine.js", "/t/outbox.js", "/t/idb.js", "/t/app.css",
  "/t/manifest.webmanifest", "/t/icon.svg", "/i18n/zh-CN.json", "/i18n/en.json",
];

self.addEventListener("install", (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL.map((u) => new Request(u, { cache: "no-cache" })))));
});

self.addEventListener("activate", (ev) => {
  ev.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith("minyi-tablet-") && k !== CACHE) await caches.delete(k);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (ev) => {
  if (ev.data && ev.data.type === "activate") self.skipWaiting();
  if (ev.data && ev.data.type === "build" && ev.ports[0]) ev.ports[0].postMessage(BUILD);
});

self.addEventListener("fetch", (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  if (req.mode === "navigate" && url.pathname.startsWith("/t/")) {
    ev.respondWith(caches.match("/t/", { cacheName: CACHE }).then((r) => r || fetch(req)));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    ev.respondWith(caches.match(url.pathname, { cacheName: CACHE }).then((r) => r || fetch(req)));
  }
});
