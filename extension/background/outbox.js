// Activities logged in this browser: stored in IndexedDB first, then sent to the relay
// until it acknowledges them (the relay stores before answering, and a repeated UUID is
// harmless there, so a retry after a lost answer never logs twice). Sent again when the
// relay is back: on the retry alarm and whenever a page asks the service worker.
import { capturedActivity } from '../pkg/crmsync.js';
import { withStore } from './db.js';
import { relayFetch } from './session.js';

const withOutbox = (mode, use) => withStore('outbox', mode, use);
let draining = null;

/** Checks and queues one capture; resolves with the activity (its `id` is the UUID). */
export async function log(capture) {
  const activity = capturedActivity(capture, crypto.randomUUID(), new Date().toISOString());
  await withOutbox('readwrite', (s) => s.put(activity, activity.id));
  await drain().catch(() => {});
  return activity;
}

/** How many activities wait for the relay. */
export function waiting() {
  return withOutbox('readonly', (s) => s.count());
}

/** Sends what waits, oldest first; stops at the first failure that is not the activity's. */
export function drain() {
  draining ??= (async () => {
    try {
      const queued = await withOutbox('readonly', (s) => s.getAll());
      queued.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
      for (const activity of queued) {
        const response = await relayFetch('/api/v1/activities', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(activity),
        });
        // 400/403/409: the relay refuses this activity for good (bad field, write-back
        // off for the kind); keeping it would block the others. The reason is kept.
        const refused = [400, 403, 409].includes(response.status);
        if (!response.ok && !refused) break;
        if (refused) {
          const body = await response.json().catch(() => null);
          await chrome.storage.local.set({ lastLogError: body?.error?.message ?? `refused (${response.status})` });
        }
        await withOutbox('readwrite', (s) => s.delete(activity.id));
      }
    } finally {
      draining = null;
    }
  })();
  return draining;
}

/** Forgets what waits (sign-out, after one last attempt to send it). */
export async function purge() {
  await drain().catch(() => {});
  await withOutbox('readwrite', (s) => s.clear()).catch(() => {});
}
