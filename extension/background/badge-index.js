// The org's badge index in this browser: the relay's snapshot kept in IndexedDB (so
// badges work offline and after the service worker restarts), loaded into the wasm core,
// refreshed with If-None-Match, and purged on sign-out.
import { loadIndex, dropIndex } from '../pkg/crmsync.js';
import { relayFetch } from './session.js';
import { withStore } from './db.js';

const SNAPSHOT = 'snapshot';
const withIndex = (mode, use) => withStore('index', mode, use);

let loaded = null;

/** Loads the stored snapshot into wasm once per service-worker life; null when none. */
export function ensureLoaded() {
  loaded ??= withIndex('readonly', (s) => s.get(SNAPSHOT))
    .then((bytes) => (bytes ? loadIndex(new Uint8Array(bytes)) : null))
    .catch((error) => {
      loaded = null;
      throw error;
    });
  return loaded;
}

/** Asks the relay for a newer index; stores and loads it. Resolves with its summary. */
export async function refresh() {
  const { index } = await chrome.storage.local.get('index');
  const stored = await ensureLoaded().catch(() => null);
  const headers = stored && index?.etag ? { 'if-none-match': index.etag } : {};
  const response = await relayFetch('/api/v1/index', { headers });
  const checked = { checked_at_ms: Date.now(), error: null };
  if (response.status === 304) {
    const meta = { ...index, ...checked };
    await chrome.storage.local.set({ index: meta });
    return meta;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    const error = body?.error?.message ?? `the relay answered ${response.status}`;
    await chrome.storage.local.set({ index: { ...index, checked_at_ms: Date.now(), error } });
    throw new Error(error);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const summary = loadIndex(bytes); // throws on a damaged download, keeping the old index
  loaded = Promise.resolve(summary);
  await withIndex('readwrite', (s) => s.put(bytes.buffer, SNAPSHOT));
  const meta = { ...summary, etag: response.headers.get('etag'), bytes: bytes.length, ...checked };
  await chrome.storage.local.set({ index: meta });
  return meta;
}

/** Forgets the index everywhere: wasm, IndexedDB and its summary. */
export async function purge() {
  dropIndex();
  loaded = Promise.resolve(null);
  await withIndex('readwrite', (s) => s.clear()).catch(() => {});
  await chrome.storage.local.remove('index');
}
