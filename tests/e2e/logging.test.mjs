// One-click logging on network pages: the "Log to CRM" toggle by the message composer
// (the opt-in is remembered at the relay per user and kind), a sent message logged on the
// badge's CRM record, and the extension's offline queue: an activity logged while the
// relay is down waits in IndexedDB and arrives once the relay is back, exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, signInFromPopup, seatedRep, crmContacts } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('composer toggle, a logged message, and a note queued while the relay is down', { timeout: 120_000 }, async () => {
  const rep = await seatedRep(stack);
  const { named: [ada], profile } = await crmContacts(stack);
  const profiles = stack.fixtureData.profiles;
  profiles['ada-in-crm'] = profile(ada);

  const popup = await signInFromPopup(stack, rep);
  const token = (await stack.context.serviceWorkers()[0].evaluate(() => chrome.storage.local.get('session'))).session.token;
  const api = async (path) => (await fetch(`${stack.relayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();

  const page = await stack.context.newPage();
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  await eventually(() => page.locator('#crmsync-badge').getAttribute('data-state'), (s) => s === 'in_crm', 15_000);
  const toggle = page.locator('.msg-form .crmsync-log-toggle input');
  await eventually(() => toggle.isDisabled(), (d) => d === false);
  assert.equal(await toggle.isChecked(), false, 'off until the rep opts in');
  await toggle.check();
  await eventually(() => api('/api/v1/me/writeback'), (p) => p.kinds.message === true);

  await page.locator('.msg-form__contenteditable').fill('Hi! Thanks for connecting.\nShall we talk on Friday?');
  await page.click('.msg-form__send-button');
  await eventually(() => page.locator('.msg-form .crmsync-log-status').textContent(), (t) => t === 'Logged to CRM');
  assert.equal(await page.evaluate(() => window.fixtureSent), 1, 'the page still sent its message');
  const messages = await api('/api/v1/activities?state=pending');
  assert.equal(messages.length, 1);
  assert.equal(messages[0].kind, 'message');
  assert.equal(messages[0].target, ada.Id);
  assert.equal(messages[0].profile_id, 'ada-in-crm');
  assert.equal(messages[0].subject, 'Hi! Thanks for connecting.');

  // The popup's queue view counts it.
  await popup.reload();
  await eventually(() => popup.locator('[data-testid=queue-totals]').textContent(), (t) => t.startsWith('1 pending, 0 written'));
  // Salesforce refuses it (an admin's validation rule): the popup shows why, and retries.
  stack.cli(['setup']);
  await fetch(`${stack.simUrl}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'validation_rule', count: 1 }) });
  stack.cli(['flush']);
  await popup.reload();
  const failure = popup.locator('[data-testid=queue-failed] li');
  assert.match(await failure.textContent({ timeout: 10_000 }), /^Hi! Thanks for connecting\.: .+/);
  await failure.locator('button').click();
  await eventually(() => popup.locator('[data-testid=queue-totals]').textContent(), (t) => t.startsWith('1 pending, 0 written, 0 failed'));

  // The choice is remembered.
  await page.reload();
  await eventually(() => page.locator('.msg-form .crmsync-log-toggle input').isChecked(), (c) => c === true, 15_000);

  // The relay goes down while the rep logs a call: it waits in the extension's outbox.
  await fetch(`${stack.relayUrl}/api/v1/me/writeback`, { method: 'PUT', headers: { authorization: `Bearer ${token}`,
    'content-type': 'application/json' }, body: JSON.stringify({ kinds: { call: true } }) });
  await stack.restartRelay(async () => {
    await page.locator('#crmsync-log summary').click();
    await page.selectOption('#crmsync-log select', 'call');
    await page.fill('#crmsync-log textarea', 'Phoned about the pilot');
    await page.click('#crmsync-log button');
    await eventually(() => page.locator('#crmsync-log .crmsync-log-status').textContent(), (t) => t.startsWith('Saved here'));
    const waiting = await stack.context.serviceWorkers()[0].evaluate(async () => {
      const db = await new Promise((resolve) => { const r = indexedDB.open('crmsync'); r.onsuccess = () => resolve(r.result); });
      return new Promise((resolve) => { const r = db.transaction('outbox').objectStore('outbox').count(); r.onsuccess = () => resolve(r.result); });
    });
    assert.equal(waiting, 1, 'queued while the relay is down');
  });
  // Back up: the next page question sends what waits.
  await page.goto('https://www.linkedin.com/feed/');
  const calls = await eventually(() => api('/api/v1/activities?state=pending'), (list) => list.some((a) => a.kind === 'call'), 20_000);
  assert.equal(calls.filter((a) => a.kind === 'call').length, 1);
  assert.equal(calls.find((a) => a.kind === 'call').target, ada.Id);
  await page.close();
  await popup.close();
});
