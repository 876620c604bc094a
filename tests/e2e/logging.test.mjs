// One-click logging on network pages: the "Log to CRM" toggle by the message composer
// (the opt-in is remembered at the relay per user and kind), a sent message logged on the
// badge's CRM record, and the extension's offline queue: an activity logged while the
// relay is down waits in IndexedDB and arrives once the relay is back, exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, signInFromPopup, seatedRep, crmContacts, storedSession, optIn } from './harness.mjs';
import { crmsyncUi } from './shadow.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('composer toggle, a logged message, and a note queued while the relay is down', { timeout: 120_000 }, async () => {
  const rep = await seatedRep(stack);
  const { named: [ada], profile } = await crmContacts(stack);
  const profiles = stack.fixtureData.profiles;
  profiles['ada-in-crm'] = profile(ada);

  const popup = await signInFromPopup(stack, rep);
  const token = (await storedSession(stack)).token;
  const api = async (path) => (await fetch(`${stack.relayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();

  const page = await stack.context.newPage();
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  const ui = await crmsyncUi(page);
  await eventually(() => ui.attr('#crmsync-badge', 'data-state'), (s) => s === 'in_crm', 15_000);
  const toggle = '.crmsync-log-toggle input';
  await eventually(() => ui.disabled(toggle), (d) => d === false);
  assert.equal(await ui.checked(toggle), false, 'off until the rep opts in');
  await ui.click(toggle);
  await eventually(() => api('/api/v1/me/writeback'), (p) => p.kinds.message === true);

  await page.locator('.msg-form__contenteditable').fill('Hi! Thanks for connecting.\nShall we talk on Friday?');
  await page.click('.msg-form__send-button');
  await eventually(() => ui.text('.crmsync-log-toggle + .crmsync-log-status'), (t) => t === 'Logged to CRM');
  assert.equal(await page.evaluate(() => window.fixtureSent), 1, 'the page still sent its message');
  const messages = await api('/api/v1/activities?state=pending');
  assert.equal(messages.length, 1, JSON.stringify(await api('/api/v1/activities')));
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
  await eventually(() => ui.checked(toggle), (c) => c === true, 15_000);

  // The relay goes down while the rep logs a call: it waits in the extension's outbox.
  // The "Log activity" control offers only the kinds the rep logs: none of call yet.
  await ui.click('#crmsync-log summary');
  assert.deepEqual(await ui.values('#crmsync-log select option'), ['message']);
  await optIn(popup, 'call');
  await eventually(() => ui.values('#crmsync-log select option'),
    (kinds) => kinds.includes('call'));
  await ui.click('#crmsync-log summary');
  await stack.restartRelay(async () => {
    await ui.click('#crmsync-log summary');
    await ui.select('#crmsync-log select', 'call');
    await ui.fill('#crmsync-log textarea', 'Phoned about the pilot');
    await ui.click('#crmsync-log button');
    await eventually(() => ui.text('#crmsync-log .crmsync-log-status'), (t) => t.startsWith('Saved here'));
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

  // The admin switches write-back off: a call logged now is refused by the relay, and kept
  // here as "not logged" with the relay's reason until the rep retries or discards it.
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  await eventually(() => ui.count('#crmsync-log select option'), (n) => n >= 2, 15_000);
  stack.cli(['writeback', 'disable', '--user', rep.username]);
  const logCall = async (text) => {
    await ui.click('#crmsync-log summary');
    await ui.select('#crmsync-log select', 'call');
    await ui.fill('#crmsync-log textarea', text);
    await ui.click('#crmsync-log button');
  };
  await logCall('Phoned again');
  assert.match(await eventually(() => ui.text('#crmsync-log .crmsync-log-status'), (t) => t.startsWith('Not logged')),
    /not enabled for this user.*kept in the crmsync popup/);
  await popup.reload();
  const kept = popup.locator('[data-testid=not-logged] li');
  assert.match(await kept.textContent({ timeout: 10_000 }), /call "Phoned again" .*not enabled for this user/);
  // Sign-out asks first while it is kept here; cancelled, nothing changes.
  await popup.click('#sign-out');
  await popup.locator('#sign-out-confirm').waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await popup.locator('#sign-out-question').textContent(), /^1 logged activity is not in the CRM yet/);
  await popup.click('#sign-out-cancel');
  assert.equal(await popup.locator('[data-testid=username]').textContent(), rep.username);
  stack.cli(['writeback', 'enable', '--user', rep.username]);
  await kept.locator('[data-action=retry]').click();
  await eventually(() => popup.locator('[data-testid=not-logged] li').count(), (n) => n === 0);
  const again = await api('/api/v1/activities?state=pending');
  assert.equal(again.filter((a) => a.subject === 'Phoned again').length, 1);

  // Write-back off: the control offers no kind at all, and says why.
  stack.cli(['writeback', 'disable', '--user', rep.username]);
  await page.reload();
  await eventually(() => ui.text('#crmsync-log .crmsync-log-note'), (t) => /not enabled activity write-back/.test(t), 15_000);
  assert.equal(await ui.count('#crmsync-log select option'), 0);
  // Nothing unsent: sign-out does not ask.
  await popup.reload();
  await popup.click('#sign-out');
  await popup.locator('#sign-in-form').waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal(await popup.locator('#sign-out-confirm').isHidden(), true);
  await page.close();
  await popup.close();
});
