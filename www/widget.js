// The record widget page: in the extension's iframe, or embedded by an admin from the
// relay. It follows location.hash (#record=<id>&object=<name>) and reaches the relay
// through `relayApi`: the extension's service worker (which holds the rep's session), or
// same-origin requests with a token this page got from a sign-in window (a framed page's
// storage is its own, so the token comes back by postMessage from `/signed-in.html`).
import init, { mountWidget } from './pkg/crmsync.js';

const inExtension = Boolean(globalThis.chrome?.runtime?.id);
const TOKEN = 'crmsync-token';

async function relayApi(method, path, body) {
  if (inExtension) {
    const reply = await chrome.runtime.sendMessage({ type: 'crmsync:relayApi', method, path, body });
    if (!reply?.ok) throw reply?.error ?? { message: 'the extension did not answer' };
    return reply.result;
  }
  const token = localStorage.getItem(TOKEN);
  const headers = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await response.json().catch(() => null);
  if (response.status === 401) {
    localStorage.removeItem(TOKEN);
    showSignIn();
    throw { message: 'Sign in to crmsync (button above) to see this record.' };
  }
  if (!response.ok) throw { message: data?.error?.message ?? `the relay answered ${response.status}` };
  return data;
}

function showSignIn() {
  if (document.getElementById('crmsync-sign-in')) return;
  const button = document.createElement('button');
  button.id = 'crmsync-sign-in';
  button.type = 'button';
  button.textContent = 'Sign in to crmsync';
  button.onclick = () => window.open('/api/v1/rep/sign-in?return_to=/signed-in.html', 'crmsync-sign-in', 'width=520,height=640');
  document.body.prepend(button);
}

addEventListener('message', (event) => {
  if (event.origin !== location.origin || event.data?.type !== 'crmsync-token' || !event.data.token) return;
  localStorage.setItem(TOKEN, event.data.token);
  location.reload();
});

await init({ module_or_path: new URL('./pkg/crmsync_bg.wasm', import.meta.url) });
mountWidget(document.getElementById('app'), relayApi);
