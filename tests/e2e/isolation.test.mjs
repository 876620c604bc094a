// What the host page and content scripts cannot do. A script in the network page's own
// world looks for CRM data (crmsync draws in closed shadow roots: it finds empty hosts)
// and tries to log with untrusted clicks: nothing is found, nothing is logged. A content script (its isolated world, reached over CDP) asking the
// service worker for what only the popup may do — sign out, call any relay path, read
// the status — is refused; un-namespaced or inherited message types are not handlers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, signInFromPopup, seatedRep, crmContacts, storedSession, optIn } from './harness.mjs';
import { crmsyncUi } from './shadow.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('page scripts cannot forge a log; content scripts cannot act as the popup', { timeout: 120_000 }, async () => {
  const rep = await seatedRep(stack);
  const { named: [ada], profile } = await crmContacts(stack);
  stack.fixtureData.profiles['ada-in-crm'] = profile(ada);
  const popup = await signInFromPopup(stack, rep);
  await optIn(popup, 'note');
  await optIn(popup, 'message');
  const { token } = await storedSession(stack);
  const api = async (path) => (await fetch(`${stack.relayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();

  const page = await stack.context.newPage();
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  const ui = await crmsyncUi(page);
  await eventually(() => ui.attr('#crmsync-badge', 'data-state'), (s) => s === 'in_crm', 15_000);
  await eventually(() => ui.count('#crmsync-log select option'), (n) => n >= 2, 15_000);
  await eventually(() => ui.checked('.crmsync-log-toggle input'), (c) => c === true);

  // The page's own scripts look for CRM data and try to log, against another record too.
  const seen = await page.evaluate(() => {
    const hosts = [...document.querySelectorAll('[data-crmsync]')];
    for (const host of hosts) {
      host.dataset.crmId = '0037e00001WZ30rAAD';
      host.click();
      host.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
    }
    document.querySelector('.msg-form__contenteditable').textContent = 'forged message';
    document.querySelector('.msg-form__send-button').click();
    return {
      roots: hosts.map((h) => h.shadowRoot),
      text: hosts.map((h) => h.textContent).join(''),
      html: document.documentElement.outerHTML,
    };
  });
  assert.ok(seen.roots.length >= 2 && seen.roots.every((r) => r === null), 'closed roots: the page gets no shadowRoot');
  assert.equal(seen.text, '');
  for (const secret of ['In CRM', ada.Id, ada.Id.slice(0, 15), ada.Email]) {
    assert.equal(seen.html.includes(secret), false, `the page's DOM holds ${secret}`);
  }
  await new Promise((r) => setTimeout(r, 1500));
  const logged = await api('/api/v1/activities');
  assert.deepEqual(logged.filter((a) => /forged/.test(a.body ?? '')), [], 'no forged activity reached the relay');

  // The rep's own click logs, against the record the core answered (not the edited DOM).
  await ui.click('#crmsync-log summary');
  await ui.select('#crmsync-log select', 'note');
  await ui.fill('#crmsync-log textarea', 'real note');
  await ui.click('#crmsync-log button');
  const notes = await eventually(() => api('/api/v1/activities'), (list) => list.some((a) => a.body === 'real note'));
  assert.equal(notes.find((a) => a.body === 'real note').target, ada.Id);

  // A content script's world asks for the popup's powers.
  const cdp = await stack.context.newCDPSession(page);
  const contexts = [];
  cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const isolated = await eventually(() => contexts.find((c) => c.auxData?.type === 'isolated' && c.name === 'crmsync'), Boolean);
  const ask = async (message) => {
    const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
      expression: `chrome.runtime.sendMessage(${JSON.stringify(message)}).then((r) => r ?? null, (e) => ({ ok: false, error: { message: String(e?.message ?? e) } }))`,
      contextId: isolated.id, awaitPromise: true, returnByValue: true,
    });
    assert.equal(exceptionDetails, undefined);
    return result.value;
  };
  for (const type of ['crmsync:signOut', 'crmsync:relayApi', 'crmsync:status', 'crmsync:uploadConnections']) {
    const reply = await ask({ type, method: 'GET', path: '/api/v1/me' });
    assert.equal(reply?.ok, false, type);
    assert.match(reply.error.message, /may only be asked from the crmsync popup/, type);
  }
  for (const type of ['signOut', 'crmsync:constructor', 'crmsync:hasOwnProperty', 'crmsync:__proto__']) {
    const reply = await ask({ type });
    assert.notEqual(reply?.ok, true, type);
  }
  // What it may ask still works, and the rep is still signed in.
  assert.equal((await ask({ type: 'crmsync:writebackPrefs' })).ok, true);
  assert.ok((await storedSession(stack))?.token, 'still signed in');
  await page.close();
  await popup.close();
});
