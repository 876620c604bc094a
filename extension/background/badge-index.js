// The org's badge index in this browser: the relay's snapshot and the deltas since,
// kept in IndexedDB (so badges work offline and after the service worker restarts),
// loaded into the wasm core, refreshed with deltas (a snapshot when the relay says so,
// with If-None-Match), and purged on sign-out.
import { loadIndex, applyDelta, dropIndex } from '../pkg/crmsync.js';
import { relayFetch } from './session.js';
import { withStore } from './db.js';

const SNAPSHOT = 'snapshot';
const DELTAS = 'deltas';
/** After this many deltas the next refresh takes a snapshot (bounds the load time). */
const MAX_DELTAS = 20;
const withIndex = (mode, use) => withStore('index', mode, use);

let loaded = null;

async function load() {
  const [bytes, deltas] = await Promise.all([
    withIndex('readonly', (s) => s.get(SNAPSHOT)),
    withIndex('readonly', (s) => s.get(DELTAS)),
  ]);
  if (!bytes) return null;
  let summary = loadIndex(new Uint8Array(bytes));
  for (const delta of deltas ?? []) summary = applyDelta(new Uint8Array(delta));
  return summary;
}

/** Loads the stored index into wasm once per service-worker life; null when none. */
export function ensureLoaded() {
  loaded ??= load().catch(async (error) => {
    // A stored index that no longer loads is dropped; the next refresh takes a snapshot.
    await purge();
    throw error;
  });
  return loaded;
}

async function failure(response, index) {
  const body = await response.json().catch(() => null);
  const error = body?.error?.message ?? `the relay answered ${response.status}`;
  await chrome.storage.local.set({ index: { ...index, checked_at_ms: Date.now(), error } });
  return new Error(error);
}

/** Applies the relay's changes since the stored index; false when a snapshot is needed. */
async function refreshWithDelta(index) {
  const since = `since=${index.version}&decisions=${index.decisions ?? 0}&matches=${index.matches ?? 0}`;
  const response = await relayFetch(`/api/v1/index/delta?${since}`);
  if (response.status === 410) return false;
  if (response.status === 204) {
    await chrome.storage.local.set({ index: { ...index, checked_at_ms: Date.now(), error: null } });
    return true;
  }
  if (!response.ok) throw await failure(response, index);
  const bytes = await response.arrayBuffer();
  let summary;
  try {
    summary = applyDelta(new Uint8Array(bytes));
  } catch {
    return false; // another org's or version's delta: take a snapshot
  }
  const deltas = (await withIndex('readonly', (s) => s.get(DELTAS))) ?? [];
  deltas.push(bytes);
  await withIndex('readwrite', (s) => s.put(deltas, DELTAS));
  loaded = Promise.resolve(summary);
  const meta = {
    ...index,
    ...summary,
    decisions: Number(response.headers.get('x-crmsync-index-decisions') ?? 0),
    deltas: deltas.length,
    checked_at_ms: Date.now(),
    error: null,
  };
  await chrome.storage.local.set({ index: meta });
  return true;
}

/** Asks the relay for what changed (or a new snapshot); stores and loads it. */
export async function refresh() {
  const { index } = await chrome.storage.local.get('index');
  const stored = await ensureLoaded().catch(() => null);
  if (stored && index?.version !== undefined && (index.deltas ?? 0) < MAX_DELTAS && (await refreshWithDelta(index))) {
    return (await chrome.storage.local.get('index')).index;
  }
  const headers = stored && index?.etag && !index.deltas ? { 'if-none-match': index.etag } : {};
  const response = await relayFetch('/api/v1/index', { headers });
  if (response.status === 304) {
    const meta = { ...index, checked_at_ms: Date.now(), error: null };
    await chrome.storage.local.set({ index: meta });
    return meta;
  }
  if (!response.ok) throw await failure(response, index);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const summary = loadIndex(bytes); // throws on a damaged download, keeping the old index
  loaded = Promise.resolve(summary);
  await withIndex('readwrite', (s) => s.put(bytes.buffer, SNAPSHOT));
  await withIndex('readwrite', (s) => s.delete(DELTAS));
  const meta = {
    ...summary,
    etag: response.headers.get('etag'),
    decisions: Number(response.headers.get('x-crmsync-index-decisions') ?? 0),
    deltas: 0,
    bytes: bytes.length,
    checked_at_ms: Date.now(),
    error: null,
  };
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
