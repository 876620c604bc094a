// Activities logged in this browser: stored in IndexedDB first (with the rep who logged
// them), then sent to the relay until it acknowledges them (the relay stores before
// answering, and a repeated UUID is harmless there, so a retry after a lost answer never
// logs twice). An activity the relay refuses (400/403/409) is kept, marked with the
// relay's reason, until the rep retries or discards it: nothing a rep logged is dropped.
import { capturedActivity } from '../pkg/crmsync.js';
import { withStore } from './db.js';
import { current, relayFetch } from './session.js';

const withOutbox = (mode, use) => withStore('outbox', mode, use);
let draining = null;

/** Entries as stored: `{ activity, user_id, refused: null | { status, message, at } }`
 *  (entries of older versions were the bare activity). */
const entry = (stored) => (stored?.activity ? stored : { activity: stored, user_id: null, refused: null });

async function entries() {
  return (await withOutbox('readonly', (s) => s.getAll())).map(entry);
}

/** Checks and queues one capture, tries to send it, and says how it stands:
 *  `{ id, state: 'logged' | 'waiting' | 'refused', reason }`. */
export async function log(capture) {
  const session = await current();
  const activity = capturedActivity(capture, crypto.randomUUID(), new Date().toISOString());
  await withOutbox('readwrite', (s) => s.put({ activity, user_id: session?.user_id ?? null, refused: null }, activity.id));
  await drain().catch(() => {});
  return standing(activity.id);
}

/** How one logged activity stands now. */
export async function standing(id) {
  const stored = await withOutbox('readonly', (s) => s.get(id));
  if (!stored) return { id, state: 'logged', reason: null };
  const e = entry(stored);
  return e.refused ? { id, state: 'refused', reason: e.refused.message } : { id, state: 'waiting', reason: null };
}

/** How many of the signed-in rep's activities wait for the relay (refused ones excluded). */
export async function waiting() {
  const session = await current();
  return (await entries()).filter((e) => !e.refused && mine(e, session)).length;
}

/** Activities here the relay refused, with its reasons (the popup lists them). */
export async function refused() {
  const session = await current();
  return (await entries()).filter((e) => e.refused && mine(e, session)).map((e) => ({
    id: e.activity.id,
    kind: e.activity.kind,
    subject: e.activity.subject,
    occurred_at: e.activity.occurred_at,
    reason: e.refused.message,
  }));
}

/** Every activity here not yet stored by the relay, whoever logged it. */
export async function unsent() {
  return (await entries()).length;
}

const mine = (e, session) => session && (e.user_id === null || e.user_id === session.user_id);

/** Sends a refused activity again (after the rep fixed what the relay named). */
export async function retry(id) {
  await withOutbox('readwrite', (s) => {
    const request = s.get(String(id ?? ''));
    request.onsuccess = () => {
      if (request.result) s.put({ ...entry(request.result), refused: null }, request.result.activity?.id ?? id);
    };
    return request;
  });
  await drain().catch(() => {});
  return standing(id);
}

/** Drops one activity the rep chose not to log. */
export function discard(id) {
  return withOutbox('readwrite', (s) => s.delete(String(id ?? '')));
}

/** Sends what waits, oldest first; stops at the first failure that is not the activity's.
 *  Only the signed-in rep's activities go, under that rep's session. */
export function drain() {
  draining ??= (async () => {
    try {
      const session = await current();
      if (!session) return;
      const queued = (await entries()).filter((e) => !e.refused && mine(e, session));
      queued.sort((a, b) => a.activity.occurred_at.localeCompare(b.activity.occurred_at));
      for (const e of queued) {
        const response = await relayFetch('/api/v1/activities', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(e.activity),
        });
        if (response.ok) {
          await withOutbox('readwrite', (s) => s.delete(e.activity.id));
          continue;
        }
        if (![400, 403, 409].includes(response.status)) break; // the relay is unwell: later
        const body = await response.json().catch(() => null);
        const message = body?.error?.message ?? `the relay refused it (${response.status})`;
        const refusal = { status: response.status, message, at: new Date().toISOString() };
        await withOutbox('readwrite', (s) => s.put({ ...e, user_id: session.user_id, refused: refusal }, e.activity.id));
      }
    } finally {
      draining = null;
    }
  })();
  return draining;
}

/** Forgets every activity here (sign-out, when the rep chose to discard them). */
export async function purge() {
  await withOutbox('readwrite', (s) => s.clear()).catch(() => {});
}
