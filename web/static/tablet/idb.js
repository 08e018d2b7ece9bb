// IndexedDB, the tablet's only storage for anything that matters: the
// outbox, interview drafts, the cached assignments and questionnaire, the
// device token. A new app version upgrades the schema in onupgradeneeded,
// which keeps existing stores and their data; nothing here ever deletes the
// database, and the service worker never touches it.

const NAME = "minyi-tablet";
const VERSION = 1;
let dbp = null;

function open() {
  if (dbp) return dbp;
  dbp = new Promise((resolve, reject) => {
    const req = indexedDB.open(NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      // Version 1. Later versions add stores or indexes here, never drop.
      if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
      if (!db.objectStoreNames.contains("drafts")) db.createObjectStore("drafts", { keyPath: "key" });
      if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "client_id" });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab opening a newer version: close so that it can upgrade.
      db.onversionchange = () => { db.close(); dbp = null; };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("storage is blocked by another tab"));
  });
  return dbp;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("aborted"));
  });
}

function result(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function get(store, key) {
  const db = await open();
  return result(db.transaction(store).objectStore(store).get(key));
}

export async function all(store) {
  const db = await open();
  return result(db.transaction(store).objectStore(store).getAll());
}

// put writes values (the key is in the value, or given for "kv") and
// resolves only when the transaction has committed.
export async function put(store, value, key) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  if (key === undefined) tx.objectStore(store).put(value);
  else tx.objectStore(store).put(value, key);
  return done(tx);
}

export async function putMany(store, values) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  for (const v of values) tx.objectStore(store).put(v);
  return done(tx);
}

export async function del(store, key) {
  const db = await open();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).delete(key);
  return done(tx);
}

// commit writes an outbox item and removes the draft it came from in one
// transaction: an interview is in exactly one of the two at any moment.
export async function commit(item, draftKey) {
  const db = await open();
  const tx = db.transaction(["outbox", "drafts"], "readwrite");
  tx.objectStore("outbox").put(item);
  if (draftKey !== undefined) tx.objectStore("drafts").delete(draftKey);
  return done(tx);
}

// reopen turns a refused outbox item back into a draft in one transaction.
export async function reopen(draft, clientId) {
  const db = await open();
  const tx = db.transaction(["outbox", "drafts"], "readwrite");
  tx.objectStore("drafts").put(draft);
  tx.objectStore("outbox").delete(clientId);
  return done(tx);
}
