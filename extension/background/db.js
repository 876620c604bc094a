// The extension's IndexedDB (the extension's own origin: content scripts cannot open
// it): `index` holds the badge index snapshot, `outbox` the activities logged here and
// not yet stored by the relay, `session` the rep's relay session and token.
const DB_NAME = 'crmsync';
const VERSION = 3;

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      for (const name of ['index', 'outbox', 'session']) {
        if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Runs `use(objectStore)` in a transaction on `store`; resolves with its request's result. */
export async function withStore(store, mode, use) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const request = use(tx.objectStore(store));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}
