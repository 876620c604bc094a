// The admin's half of the console in real headless Chromium, signed in as the demo org's
// admin: seats given to a role and everything below it in one step, write-back switched
// for the same users, badge visibility saved, the org's queue listed, the audit log
// showing who did it, sync health, and sign-out. Each step is checked against the
// command line's view of the same store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, adminConsole, eventually } from './harness.mjs';

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
