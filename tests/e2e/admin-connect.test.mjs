// The admin connect flow in real headless Chromium: the admin page starts the OAuth
// web-server flow, sfsim's login and consent pages answer, the relay's callback stores
// the connection and the console shows "connected" and the last sync; the admin sets up
// activity write-back and flushes from the console; then disconnect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually } from './harness.mjs';

let stack;
// The relay waits for an admin instead of connecting with client credentials at start.
before(async () => { stack = await startStack({ relayEnv: { CRMSYNC_CONNECT_ON_START: 'none' } }); });
after(async () => { await stack?.close(); });

test('admin connects the org from the admin page, sees the last sync, then disconnects', { timeout: 90_000 }, async () => {
  const admin = stack.users.find((u) => u.username.startsWith('admin@'));
  assert.ok(admin, 'sfsim printed the admin user');
  const page = await stack.context.newPage();
  await page.goto(`${stack.relayUrl}/admin/`);
  await page.locator('[data-state=not_connected]').waitFor({ timeout: 15_000 });

  // The first connect needs the setup code the relay printed (here: `crmsync setup-code`).
  await page.fill('[data-testid=setup-code] >> nth=0', stack.cli(['setup-code']).trim());
  await page.click('[data-testid=connect-button]');
  await page.waitForURL((url) => url.href.startsWith(stack.simUrl), { timeout: 15_000 });
  assert.equal(await page.title(), 'Login | Salesforce');
  await page.fill('#username', admin.username);
  await page.fill('#password', admin.password);
  await page.click('#Login');
  await page.locator('text=Allow Access?').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('#who').textContent(), admin.username);
  await page.click('#oaapprove');

  await page.waitForURL(`${stack.relayUrl}/admin/`, { timeout: 15_000 });
  assert.equal(await page.locator('[data-testid=org-id]').textContent({ timeout: 15_000 }), stack.orgId);
  assert.match(await page.locator('[data-testid=acting-as]').textContent(), new RegExp(admin.username.replace('.', '\\.')));
  // The first import runs in the background; the console refreshes until it is done.
  // Shown in the reader's locale; the instant itself is the <time> element's datetime.
  const lastSync = await eventually(() => page.locator('[data-testid=last-sync] time').getAttribute('datetime'),
    (t) => /^\d{4}-\d\d-\d\dT/.test(t ?? ''), 30_000);
  assert.ok(Date.parse(lastSync) > Date.now() - 5 * 60_000, lastSync);
  assert.doesNotMatch(await page.locator('[data-testid=last-sync]').textContent(), /\d{4}-\d\d-\d\dT/);
  assert.ok(Number(await page.locator('[data-testid=rows]').textContent()) > 0);
  assert.match(await page.locator('[data-testid=admin]').textContent(), /Signed in as/);

  // Write-back: the admin sets the org up from the console (field and record types made
  // through the Tooling API), then flushes the empty queue.
  assert.match(await page.locator('[data-testid=activity-totals]').textContent(), /0 pending, 0 written/);
  await page.click('[data-testid=setup-button]');
  const setup = await page.locator('[data-testid=setup-report]').textContent({ timeout: 15_000 });
  assert.equal((setup.match(/created: /g) || []).length, 3, setup);
  assert.match(setup, /setup is complete/);
  await page.click('[data-testid=flush-button]');
  assert.match(await page.locator('[data-testid=flush-report]').textContent({ timeout: 15_000 }), /written 0, failed 0/);

  await page.check('[data-testid=clean-up]');
  await page.click('[data-testid=disconnect-button]');
  const report = await page.locator('[data-testid=disconnect-report]').textContent({ timeout: 15_000 });
  assert.match(report, /tokens revoked/);
  assert.match(report, /crm_records/);
  await page.locator('[data-state=not_connected]').waitFor({ timeout: 15_000 });
  await page.close();
});

test('a denied consent returns to the admin page with the reason', { timeout: 60_000 }, async () => {
  // A user who never approved the app, in a browser with no Salesforce session.
  const rep = stack.users.find((u) => !u.username.startsWith('admin@') && !u.username.startsWith('integration@'));
  await stack.context.clearCookies();
  const page = await stack.context.newPage();
  await page.goto(`${stack.relayUrl}/admin/`);
  await page.fill('[data-testid=setup-code] >> nth=0', stack.cli(['setup-code']).trim(), { timeout: 15_000 });
  await page.click('[data-testid=connect-button]');
  await page.waitForURL((url) => url.href.startsWith(stack.simUrl), { timeout: 15_000 });
  await page.fill('#username', rep.username);
  await page.fill('#password', rep.password);
  await page.click('#Login');
  await page.click('#oadeny', { timeout: 15_000 });
  const error = await page.locator('[data-testid=login-error]').textContent({ timeout: 15_000 });
  assert.match(error, /access_denied/);
  await page.locator('[data-state=not_connected]').waitFor({ timeout: 15_000 });
  await page.close();
});
