// The record widget page: in the extension's iframe, or embedded by an admin from the
// relay. It follows location.hash (#record=<id>&object=<name>) and reaches the relay
// through `relayApi`: the extension's service worker (which holds the rep's session), or
// same-origin requests with the token the relay's sign-in left in this origin's storage.
import init, { mountWidget } from './pkg/crmsync.js';

const inExtension = Boolean(globalThis.chrome?.runtime?.id);

async function relayApi(method, path, body) {
  if (inExtension) {
    const reply = await chrome.runtime.sendMessage({ type: 'relayApi', method, path, body });
    if (!reply?.ok) throw reply?.error ?? { message: 'the extension did not answer' };
    return reply.result;
  }
  const token = localStorage.getItem('crmsync-token');
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    throw { message: 'Sign in first: open /api/v1/rep/sign-in on this relay, then reload.' };
  }
  if (!response.ok) throw { message: data?.error?.message ?? `the relay answered ${response.status}` };
  return data;
}

await init({ module_or_path: new URL('./pkg/crmsync_bg.wasm', import.meta.url) });
mountWidget(document.getElementById('app'), relayApi);
