// The rep's session with the relay: sign-in through the relay's Salesforce login
// (chrome.identity.launchWebAuthFlow, in both browsers), the bearer token in
// chrome.storage.local, and fetches that carry it. The wasm core checks the relay
// address and reads the sign-in redirect.
import { relayOrigin, signInResult } from '../pkg/crmsync.js';

const local = chrome.storage.local;

/** Fired (as 'ended') when the relay no longer accepts the token: local data must go. */
export const sessionEvents = new EventTarget();

/** `{ relay, token, user_id, username, org_id, instance_url, expires_at_ms }` or null. */
export async function current() {
  const { session } = await local.get('session');
  if (session && session.expires_at_ms <= Date.now()) {
    await local.remove('session');
    sessionEvents.dispatchEvent(new Event('ended'));
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
    await local.remove('session');
    sessionEvents.dispatchEvent(new Event('ended'));
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

/** Signs in at the relay typed in the popup; resolves with the stored session. */
export async function signIn(relayInput) {
  const relay = relayOrigin(String(relayInput ?? ''));
  await local.set({ relayUrl: relay });
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
    expires_at_ms: Date.now() + signedIn.expires_in * 1000,
  };
  await local.set({ session });
  return session;
}

/** Revokes the token at the relay (best effort) and forgets it here. */
export async function signOut() {
  try {
    await relayFetch('/api/v1/rep/sign-out', { method: 'POST' });
  } catch {
    // Offline or already revoked: the local wipe below is what matters.
  }
  await local.remove('session');
}
