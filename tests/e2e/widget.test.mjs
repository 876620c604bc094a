// The Yew widget inside a Salesforce record page, signed in through the extension: the
// profile a rep viewed (shared with the directory by consent) shows as the record's
// match; "Not this one", a directory search and a manual match, all stored org-wide;
// one click logs a call that the relay writes to Salesforce as the rep's Task; an
// unassigned activity is assigned to the record from the widget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, signInFromPopup, seatedRep, crmContacts, simRecords, storedSession } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('widget: matched profile, manual matching, one-click call written to Salesforce, assign', { timeout: 150_000 }, async () => {
  const rep = await seatedRep(stack);
  stack.cli(['setup']);
  const { named: [ada], profile } = await crmContacts(stack);
  const name = `${ada.FirstName} ${ada.LastName}`;
  const profiles = stack.fixtureData.profiles;
  for (const slug of Object.keys(profiles)) delete profiles[slug];
  profiles['ada-real'] = profile(ada);
  profiles['ada-other'] = { name, headline: 'Baker at Crumbs Ltd', location: 'Nowhere' };

  const popup = await signInFromPopup(stack, rep);
  await popup.check('#share');
  // The rep uploads the network's Connections.csv from the popup.
  await popup.setInputFiles('#connections', { name: 'Connections.csv', mimeType: 'text/csv', buffer: Buffer.from(
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
    + 'First Name,Last Name,URL,Email Address,Company,Position,Connected On\n'
    + 'Grace,Hopper,https://www.linkedin.com/in/grace-hopper-1906,,US Navy,Rear Admiral,09 Dec 2024\n'
    + 'Alan,Turing,,,Bletchley Park,Cryptanalyst,23 Jun 2025\n') });
  await eventually(() => popup.locator('[data-testid=upload-report]').textContent(), (t) => t === '1 new, 0 updated, 0 unchanged, 1 skipped.');
  // The rep views both profiles: with sharing on, the directory learns them.
  const browse = await stack.context.newPage();
  for (const slug of ['ada-real', 'ada-other']) {
    await browse.goto(`https://www.linkedin.com/in/${slug}/`);
    await browse.locator('h1 + [data-crmsync]').waitFor({ timeout: 15_000 }); // the badge's host
  }
  const token = (await storedSession(stack)).token;
  const api = async (method, path, body) => {
    const r = await fetch(`${stack.relayUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body && JSON.stringify(body) });
    return r.json();
  };
  await eventually(() => api('GET', `/api/v1/directory/search?q=${encodeURIComponent(ada.LastName)}`), (found) => found.length === 2);
  assert.equal((await api('GET', '/api/v1/directory/search?q=hopper'))[0].url, 'https://www.linkedin.com/in/grace-hopper-1906/');

  const page = await stack.context.newPage();
  await page.goto(`https://acme.lightning.force.com/lightning/r/Contact/${ada.Id}/view`);
  const widget = page.frameLocator('#crmsync-widget-frame');
  assert.equal(await widget.locator('.crmsync-match [data-testid=profile-name]').textContent({ timeout: 15_000 }), name);
  assert.equal(await widget.locator('.crmsync-match [data-testid=profile-name]').getAttribute('href'), 'https://www.linkedin.com/in/ada-real/');
  assert.match(await widget.locator('[data-testid=match-how]').textContent(), /Matched automatically \(\d+ %\)/);
  // A Lightning card: the design system's styles apply (its brand button is Salesforce blue).
  assert.equal(await widget.locator('article.slds-card').count(), 1);
  assert.equal(await widget.locator('[data-testid=not-this-one]').evaluate((b) => getComputedStyle(b).borderRadius), '4px');

  // "Not this one", then pick the other profile from a directory search.
  await widget.locator('[data-testid=not-this-one]').click();
  await eventually(() => widget.locator('.crmsync-match [data-testid=profile-name]').count(), (n) => n === 0);
  await widget.locator('[data-testid=directory-search] input').fill(ada.LastName);
  await widget.locator('[data-testid=directory-search] button').click();
  await widget.locator('li[data-network-id=ada-other] [data-testid=pick]').click({ timeout: 10_000 });
  await eventually(() => widget.locator('[data-testid=match-how]').textContent(), (t) => t === 'Matched by hand');
  assert.equal(await widget.locator('.crmsync-match [data-testid=profile-name]').getAttribute('href'), 'https://www.linkedin.com/in/ada-other/');
  // Stored org-wide with who: any user's lookup sees it.
  const stored = await api('GET', `/api/v1/matches/${ada.Id}`);
  assert.equal(stored.matched.decided_by, rep.id);
  assert.deepEqual(stored.rejected, ['ada-real']);

  // One click logs a call once the rep opted in to calls.
  const logCall = widget.locator('[data-testid=log-call]');
  assert.equal(await logCall.isDisabled(), true);
  await widget.locator('[data-testid=opt-in-call]').check();
  await eventually(() => logCall.isDisabled(), (d) => d === false).catch(async (e) => {
    throw new Error(`${e.message}; the widget shows: ${await widget.locator('main').textContent()}`);
  });
  await widget.locator('[data-testid=activity-text]').fill('Intro call\nInterested in a demo next week');
  await logCall.click();
  assert.match(await widget.locator('[data-testid=notice]').textContent({ timeout: 10_000 }), /Call logged/);
  await widget.locator('[data-testid=record-activities] li[data-kind=call][data-state=pending]').waitFor({ timeout: 10_000 });

  stack.cli(['flush']);
  const tasks = (await simRecords(stack, 'Task')).filter((t) => t.WhoId === ada.Id && t.Subject === 'Intro call');
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0].OwnerId, rep.id);
  assert.equal(tasks[0].TaskSubtype, 'Call');
  assert.equal(tasks[0].Description, 'Intro call\nInterested in a demo next week');

  // An activity about a profile nobody matched waits unassigned; the widget assigns it here.
  await api('PUT', '/api/v1/me/writeback', { kinds: { message: true } });
  const unassigned = { id: 'a8f3c1e2-0b7d-4c55-9e21-3f6d2b9a7c10', kind: 'message', subject: 'Hello again', body: 'Sent on the network',
    occurred_at: '2026-11-26T09:00:00Z', profile_id: 'not-matched-yet' };
  await api('POST', '/api/v1/activities', unassigned);
  await page.reload();
  await widget.locator(`[data-testid=unassigned] li[data-id="${unassigned.id}"] [data-testid=assign]`).click({ timeout: 15_000 });
  await widget.locator('[data-testid=record-activities] li[data-kind=message][data-state=pending]').waitFor({ timeout: 10_000 });
  assert.equal((await api('GET', `/api/v1/activities/${unassigned.id}`)).target, ada.Id);
  await page.close();
  await browse.close();
  await popup.close();

  // The same widget served by the relay for admins who embed it: it signs in through a
  // window of its own, which hands the token back.
  const embedded = await stack.context.newPage();
  await embedded.goto(`${stack.relayUrl}/widget.html#record=${ada.Id}&object=Contact`);
  const signInWindow = stack.context.waitForEvent('page');
  await embedded.click('#crmsync-sign-in', { timeout: 15_000 });
  const login = await signInWindow;
  // The browser still has the rep's Salesforce session, so the window may pass straight
  // through and close itself; otherwise the rep logs in.
  try {
    await login.locator('#username').fill(rep.username, { timeout: 3_000 });
    await login.fill('#password', rep.password);
    await login.click('#Login');
    await login.click('#oaapprove', { timeout: 5_000 });
  } catch (error) {
    if (!login.isClosed()) throw error;
  }
  assert.equal(await embedded.locator('.crmsync-match [data-testid=profile-name]').textContent({ timeout: 20_000 }), name);
  await embedded.close();
});
