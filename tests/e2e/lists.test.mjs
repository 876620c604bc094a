// Saved lists in the real extension in Chromium: an open opportunity the rep owns saves
// its contact to "My CRM leads and contacts" at the import; the popup's Lists view shows
// the entry with a link to the Salesforce record and a "find on the network" search
// (not matched yet); the profile page's badge says "Saved"; "Save" beside another
// contact's badge saves it, and a removal from the popup takes it out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, signInFromPopup, seatedRep, simRecords, crmContacts, sfRest, adminConsole, indexReady } from './harness.mjs';
import { crmsyncUi } from './shadow.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('popup Lists view, the badge\'s Saved mark, Save button and out-of-date warning; the console\'s auto-save, data quality and ROI pages', { timeout: 120_000 }, async () => {
  const rep = await seatedRep(stack, { writeback: false });
  const { named, profile } = await crmContacts(stack);
  const [ada, bob] = named;
  const opp = (await simRecords(stack, 'Opportunity')).find((o) => o.IsClosed !== 'true');
  await sfRest(stack, 'PATCH', `Opportunity/${opp.Id}`, { OwnerId: rep.id, AccountId: ada.AccountId });
  await sfRest(stack, 'POST', 'OpportunityContactRole', { OpportunityId: opp.Id, ContactId: ada.Id });
  stack.cli(['import']);

  const popup = await signInFromPopup(stack, rep);
  const entry = (id) => popup.locator(`[data-testid=lists] details[data-list=people] li[data-crm-id="${id}"]`);
  await eventually(() => entry(ada.Id).count(), (n) => n === 1, 20_000);
  const links = entry(ada.Id).locator('a');
  assert.equal(await links.nth(0).getAttribute('href'), `${stack.simUrl}/lightning/r/Contact/${ada.Id}/view`);
  assert.equal(await links.nth(1).textContent(), 'find on the network');
  assert.match(await links.nth(1).getAttribute('href'), /^https:\/\/www\.linkedin\.com\/search\/results\/people\/\?keywords=/);
  assert.match(await entry(ada.Id).textContent(), new RegExp(`auto: open opportunity ${opp.Name}`));
  assert.match(await entry(ada.Id).textContent(), /not yet matched/);

  const profiles = stack.fixtureData.profiles;
  for (const slug of Object.keys(profiles)) delete profiles[slug];
  profiles['ada-saved'] = profile(ada);
  profiles['bob-unsaved'] = profile(bob);
  await indexReady(popup);

  const page = await stack.context.newPage();
  await page.goto('https://www.linkedin.com/in/ada-saved/');
  let ui = await crmsyncUi(page);
  await eventually(() => ui.attr('#crmsync-badge', 'data-state'), (s) => s === 'in_crm', 15_000);
  await eventually(() => ui.text('#crmsync-badge-save'), (t) => t === 'Saved', 10_000);

  await page.goto('https://www.linkedin.com/in/bob-unsaved/');
  ui = await crmsyncUi(page);
  await eventually(() => ui.attr('#crmsync-badge', 'href'), (h) => h?.endsWith(`/Contact/${bob.Id}/view`), 15_000);
  assert.equal(await ui.text('#crmsync-badge-save'), 'Save');
  await ui.click('#crmsync-badge-save');
  await eventually(() => ui.text('#crmsync-badge-save'), (t) => t === 'Saved', 10_000);
  const lists = JSON.parse(stack.cli(['lists', 'show', '--user', rep.username, '--json']));
  const people = lists.lists.find((l) => l.kind === 'auto_people');
  assert.equal(people.entries.find((e) => e.crm_id === bob.Id)?.reason, 'by hand');

  // Matched by hand to a profile that shows another employer: the badge says out of date.
  const token = stack.cli(['token', '--user', rep.username]).trim();
  const relay = (method, path, body) => fetch(`${stack.relayUrl}${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  }).then(async (r) => assert.equal(r.status, 200, await r.text()));
  const moved = { ...profile(ada), headline: 'Director at Globex Moved Corp' };
  profiles['ada-moved'] = moved;
  await relay('POST', '/api/v1/directory/profiles',
    { profiles: [{ url: 'https://www.linkedin.com/in/ada-moved/', name: moved.name, headline: moved.headline }] });
  await relay('POST', '/api/v1/matches', { crm_id: ada.Id, network_id: 'ada-moved', kind: 'match' });
  await popup.click('#refresh');
  await page.goto('https://www.linkedin.com/in/ada-moved/');
  ui = await crmsyncUi(page);
  await eventually(() => ui.attr('#crmsync-badge', 'data-out-of-date'), (v) => v === 'true', 20_000);
  assert.match(await ui.text('#crmsync-badge'), /^In CRM · Contact · .* · out of date$/);
  assert.match(await ui.attr('#crmsync-badge', 'title'), /the profile says now at Globex Moved Corp/);

  // Removed from the popup: gone from the list.
  await popup.reload();
  await eventually(() => entry(bob.Id).count(), (n) => n === 1, 20_000);
  await popup.locator('[data-testid=lists] details[data-list=people] summary').click();
  await entry(bob.Id).locator('button').click();
  await eventually(() => entry(bob.Id).count(), (n) => n === 0, 10_000);
  const after = JSON.parse(stack.cli(['lists', 'show', '--user', rep.username, '--json']));
  assert.equal(after.lists.find((l) => l.kind === 'auto_people').entries.some((e) => e.crm_id === bob.Id), false);

  // The console: the stage threshold offers the org's stages, the last import's count is
  // shown, the rep's auto-save switch is in the seats table, and ada's stale company is
  // in the data-quality table; switching auto-save off for the rep is stored.
  const admin = await adminConsole(stack);
  try {
    await admin.locator('[data-testid=autosave-stage]').waitFor({ timeout: 15_000 });
    const stages = await admin.locator('[data-testid=autosave-stage] option').allTextContents();
    assert.deepEqual(stages.slice(0, 3), ['any stage', 'Prospecting', 'Qualification']);
    assert.match(await admin.locator('[data-testid=autosave-last]').textContent(), /The last import saved \d+ entries/);
    const row = admin.locator(`[data-testid=quality-row][data-field=company]`).filter({ hasText: ada.Id });
    await row.waitFor({ timeout: 15_000 });
    assert.match(await row.textContent(), /Globex Moved Corp/);
    const repRow = admin.locator(`[data-testid=user-row][data-user="${rep.id}"]`);
    assert.equal(await repRow.getAttribute('data-autosave'), 'true');
    await repRow.locator('[data-testid=select-user]').check();
    await admin.click('[data-testid=autosave-off]');
    await eventually(() => repRow.getAttribute('data-autosave'), (v) => v === 'false', 10_000);
    const lists = JSON.parse(stack.cli(['lists', 'show', '--user', rep.username, '--json']));
    assert.equal(lists.auto_save, false);

    // The ROI page: per rep with totals equal to `crmsync roi --json`; per month a chart.
    const roi = JSON.parse(stack.cli(['roi', '--json']));
    await admin.locator('[data-testid=roi-total]').waitFor({ timeout: 15_000 });
    assert.equal(await admin.locator('[data-testid=roi-row]').count(), roi.rows.length);
    assert.match(await admin.locator('[data-testid=roi-summary]').textContent(),
      new RegExp(`^${roi.totals.influenced_count} of ${roi.totals.opportunities} opportunities influenced`));
    await admin.selectOption('[data-testid=roi-by]', 'month');
    await admin.click('[data-testid=roi-apply]');
    await admin.locator('[data-testid=roi-chart] g').first().waitFor({ timeout: 15_000 });
    const months = JSON.parse(stack.cli(['roi', '--by', 'month', '--json']));
    assert.equal(await admin.locator('[data-testid=roi-chart] g').count(), months.rows.length);
    await admin.click('[data-testid=roi-sort-3]');
    const firstPeriod = await admin.locator('[data-testid=roi-row]').first().getAttribute('data-period');
    const top = months.rows.reduce((a, b) => (b.won_amount > a.won_amount ? b : a));
    assert.equal(months.rows.find((m) => m.period === firstPeriod).won_amount, top.won_amount);
  } finally {
    await admin.close();
  }
});
