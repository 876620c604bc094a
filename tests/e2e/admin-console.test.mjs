// The admin's half of the console in real headless Chromium, signed in as the demo org's
// admin: seats given to a role and everything below it in one step, write-back switched
// for the same users, badge visibility saved, the org's queue listed, the audit log
// showing who did it, sync health, and sign-out. Each step is checked against the
// command line's view of the same store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, adminConsole, eventually, seatedRep, crmContacts } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

const seats = () => JSON.parse(stack.cli(['seats', 'list', '--json']));
const roles = () => JSON.parse(stack.cli(['roles', '--json']));

/** The ids of a role and every role below it, from `crmsync roles --json`. */
function subtreeIds(nodes, name) {
  const all = (n) => [n.id, ...n.children.flatMap(all)];
  for (const n of nodes) {
    if (n.name === name) return all(n);
    const below = subtreeIds(n.children, name);
    if (below.length) return below;
  }
  return [];
}

test('admin console: seats and write-back by role subtree, settings, queue, audit, sync health, sign-out', { timeout: 120_000 }, async () => {
  const page = await adminConsole(stack);
  const rows = page.locator('[data-testid=user-row]');
  await rows.first().waitFor({ timeout: 15_000 });
  const everyone = await rows.count();
  assert.equal(everyone, seats().length, 'the table lists every user seats list does');

  // Filter to "VP Sales" and everything below it, select all shown, give seats.
  const vpOption = page.locator('[data-testid=role-filter] option', { hasText: /^\s*VP Sales$/ });
  await page.selectOption('[data-testid=role-filter]', await vpOption.getAttribute('value'));
  await page.check('[data-testid=role-subtree]');
  const covered = subtreeIds(roles(), 'VP Sales');
  const expected = seats().filter((u) => covered.includes(u.role_id)).map((u) => u.user_id).sort();
  assert.ok(expected.length >= 2, `users under VP Sales: ${expected}`);
  await eventually(() => rows.count(), (n) => n === expected.length, 10_000);
  await page.check('[data-testid=select-all]');
  await page.click('[data-testid=give-seats]');
  assert.match(await page.locator('[data-testid=seats-message]').textContent({ timeout: 10_000 }), /seats given: \d+ changed/);
  const seated = seats().filter((u) => u.seat).map((u) => u.user_id).sort();
  assert.deepEqual(seated, expected, 'exactly the subtree has seats');
  await eventually(() => page.locator('[data-testid=user-row][data-seat=true]').count(), (n) => n === expected.length, 10_000);

  // The same users get write-back in one step.
  await page.check('[data-testid=select-all]');
  await page.click('[data-testid=writeback-on]');
  await eventually(() => page.locator('[data-testid=user-row][data-writeback=true]').count(), (n) => n === expected.length, 10_000);
  assert.ok(seats().filter((u) => expected.includes(u.user_id)).every((u) => u.writeback.enabled));

  // A search narrows the table.
  const first = seats().find((u) => u.user_id === expected[0]);
  await page.fill('[data-testid=user-search]', first.username);
  await eventually(() => rows.count(), (n) => n === 1, 10_000);

  // Badge visibility and the kinds the org writes, saved from the settings form.
  await page.selectOption('[data-testid=badge-visibility]', 'role_hierarchy');
  await page.uncheck('[data-testid=org-kind-inmail]');
  await page.click('[data-testid=save-settings]');
  assert.equal(await page.locator('[data-testid=settings-message]').textContent({ timeout: 10_000 }), 'Settings saved.');
  assert.equal(stack.cli(['settings', 'get', 'badge_visibility']).trim(), 'role_hierarchy');
  assert.equal(stack.cli(['settings', 'get', 'writeback_kinds']).trim(), 'message,call,note,document_view');

  // The queue, the audit log (who did what), sync health with its API usage chart.
  assert.match(await page.locator('[data-testid=queue-total]').textContent({ timeout: 10_000 }), /^0 activities match$/);
  const admin = stack.users.find((u) => u.username.startsWith('admin@'));
  await page.reload();
  const audit = page.locator('[data-testid=audit-row]');
  await audit.first().waitFor({ timeout: 15_000 });
  const entries = await audit.allTextContents();
  assert.ok(entries.some((e) => e.includes(admin.username) && e.includes('seats add')), entries.join('\n'));
  assert.ok(entries.some((e) => e.includes('writeback enable')), entries.join('\n'));
  assert.ok(entries.some((e) => e.includes('settings') && e.includes('badge_visibility=role_hierarchy')), entries.join('\n'));
  assert.equal(await page.locator('[data-testid=sync-row]').count(), 7);
  await page.locator('[data-testid=api-usage-chart] rect').first().waitFor({ timeout: 10_000 });

  // Sign out: the console asks to sign in again.
  await page.click('[data-testid=sign-out]');
  await page.locator('[data-testid=sign-in]').waitFor({ timeout: 15_000 });
  await page.close();
});

test('admin console: match rates per object, their trend, the export and the decisions trail', { timeout: 120_000 }, async () => {
  const rep = await seatedRep(stack);
  stack.cli(['settings', 'set', 'badge_visibility', 'everyone']); // the test before narrowed it
  const token = stack.cli(['token', '--user', rep.username]).trim();
  const { named, accountOf } = await crmContacts(stack);
  // A rep's Connections.csv with 15 of the org's contacts: they become matched.
  const people = named.filter((c) => c.Email).slice(0, 15);
  const quote = (v) => `"${String(v ?? '').replaceAll('"', '""')}"`;
  const csv = ['First Name,Last Name,URL,Email Address,Company,Position,Connected On',
    ...people.map((c, i) => [c.FirstName, c.LastName, `https://www.linkedin.com/in/e2e-${i}`, c.Email,
      accountOf[c.AccountId].Name, 'Buyer', '01 Jan 2026'].map(quote).join(','))].join('\n');
  const upload = await fetch(`${stack.relayUrl}/api/v1/directory/connections`,
    { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: csv });
  assert.equal(upload.status, 200, await upload.text());
  // One "not this one", so the trail has an entry.
  const decided = await fetch(`${stack.relayUrl}/api/v1/matches`, {
    method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ crm_id: people[0].Id, network_id: 'e2e-0', kind: 'not_match' }),
  });
  assert.equal(decided.status, 200, await decided.text());
  const report = JSON.parse(stack.cli(['match-report', '--json']));
  assert.ok(report.objects.Contact.matched_auto >= 14, JSON.stringify(report));

  const page = await adminConsole(stack);
  const contact = page.locator('[data-testid=match-object][data-object=Contact]');
  await contact.waitFor({ timeout: 15_000 });
  for (const [id, key] of [['auto', 'matched_auto'], ['manual', 'matched_manual'], ['low', 'low_confidence'], ['unmatched', 'unmatched']]) {
    for (const object of ['Lead', 'Contact', 'Account']) {
      const bar = page.locator(`[data-testid=match-object][data-object=${object}] [data-testid=bar-${id}]`);
      assert.equal(Number(await bar.getAttribute('data-count')), report.objects[object][key], `${object} ${key}`);
    }
  }
  await page.locator('[data-testid=match-trend] circle').first().waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('[data-testid=match-trend] circle').count(), report.history.length);
  // The download is the whole export, fetched with the console's own cookie.
  const href = await page.getAttribute('[data-testid=match-report-csv]', 'href');
  const exported = await page.evaluate(async (url) => (await fetch(url)).text(), href);
  const listed = ['Lead', 'Contact', 'Account'].reduce((n, o) => n + report.objects[o].low_confidence + report.objects[o].unmatched, 0);
  assert.equal(exported.trim().split('\n').length, listed + 1);
  assert.ok(exported.includes(people[0].Id), 'the rejected contact is listed');
  // The trail: the decision with who made it, and the filter by record.
  const rows = page.locator('[data-testid=decision-row]');
  await rows.first().waitFor({ timeout: 10_000 });
  assert.match(await rows.first().textContent(), new RegExp(`${rep.username}.*not this one`));
  await page.fill('[data-testid=decisions-record]', people[1].Id);
  await page.click('[data-testid=decisions-filter]');
  await eventually(() => rows.count(), (n) => n === 0, 10_000);
  await page.close();
});
