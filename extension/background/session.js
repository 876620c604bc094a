// The rep's session with the relay: sign-in through the relay's Salesforce login
// (chrome.identity.launchWebAuthFlow, in both browsers), the bearer token kept in the
// extension's IndexedDB — never in chrome.storage, whose contents and change events
// reach every content script — and fetches that carry it. The wasm core checks the relay
// address and reads the sign-in redirect.
import { relayOrigin, signInResult } from '../pkg/crmsync.js';
import { withStore } from './db.js';

const KEY = 'current';
const withSession = (mode, use) => withStore('session', mode, use);

/** Fired as 'ended' when the session is gone (expired, revoked, signed out) and as
 *  'started' after a sign-in. */
export const sessionEvents = new EventTarget();

/** Moves a session an older version kept in chrome.storage.local out of content scripts' reach. */
async function migrate() {
  const { session } = await chrome.storage.local.get('session');
  if (session) {
    await withSession('readwrite', (s) => s.put(session, KEY));
    await chrome.storage.local.remove('session');
  }
}
const migrated = migrate().catch((e) => console.warn('crmsync:', e.message));

async function forget() {
  await withSession('readwrite', (s) => s.delete(KEY));
  sessionEvents.dispatchEvent(new Event('ended'));
}

/** `{ relay, token, user_id, username, org_id, instance_url, org_origins, expires_at_ms }` or null. */
export async function current() {
  await migrated;
  const session = await withSession('readonly', (s) => s.get(KEY));
  if (session && session.expires_at_ms <= Date.now()) {
    await forget();
    return null;
  }
  return session ?? null;
}

async function failure(response) {
  const body = await response.json().catch(() => null);
  return new Error(body?.error?.message ?? `the relay answered ${response.status}`);
}

/** A relay API call with the session token; a 401 ends the session here too. */
export async function relayFetch(path, init = {}) {
  const session = await current();
  if (!session) throw new Error('not signed in: open the crmsync button in the toolbar and sign in');
  const response = await fetch(session.relay + path, {
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${session.token}` },
  });
  if (response.status === 401) {
    const error = await failure(response);
    await forget();
    throw error;
  }
  return response;
}

/** The relay's JSON answer to `path`, or its error message as an Error. */
export async function relayJson(path, init) {
  const response = await relayFetch(path, init);
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** The org's own origins (where the widget may mount). A session stored by an older
 *  version lacks them: they are asked from the relay once and kept. */
export async function orgOrigins() {
  const session = await current();
  if (!session) return [];
  if (Array.isArray(session.org_origins)) return session.org_origins;
  const identity = await relayJson('/api/v1/me');
  const origins = identity.org_origins ?? [];
  await withSession('readwrite', (s) => s.put({ ...session, org_origins: origins }, KEY));
  return origins;
}

/** Signs in at the relay typed in the popup; resolves with the stored session. */
export async function signIn(relayInput) {
  const relay = relayOrigin(String(relayInput ?? ''));
  await chrome.storage.local.set({ relayUrl: relay });
  const returnTo = chrome.identity.getRedirectURL('signed-in');
  const url = `${relay}/api/v1/rep/sign-in?return_to=${encodeURIComponent(returnTo)}`;
  const redirect = await chrome.identity.launchWebAuthFlow({ url, interactive: true });
  const signedIn = signInResult(redirect);
  const me = await fetch(`${relay}/api/v1/me`, { headers: { authorization: `Bearer ${signedIn.token}` } });
  if (!me.ok) throw await failure(me);
  const identity = await me.json();
  const session = {
    relay,
    token: signedIn.token,
    user_id: identity.user_id,
    username: identity.username,
    org_id: identity.org_id,
    instance_url: identity.instance_url ?? '',
    org_origins: identity.org_origins ?? [],
    expires_at_ms: Date.now() + signedIn.expires_in * 1000,
  };
  await withSession('readwrite', (s) => s.put(session, KEY));
  sessionEvents.dispatchEvent(new Event('started'));
  return session;
}

/** Revokes the token at the relay (best effort) and forgets it here. */
export async function signOut() {
  try {
    await relayFetch('/api/v1/rep/sign-out', { method: 'POST' });
  } catch {
    // Offline or already revoked: the local wipe below is what matters.
  }
  await forget();
}
