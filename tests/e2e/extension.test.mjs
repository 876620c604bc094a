// The extension in real headless Chromium on fixture pages under the real host names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, imported, adminConsole, signInFromPopup, seatedRep } from './harness.mjs';
import { crmsyncUi } from './shadow.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

// The widget keeps the record id out of its text (an attribute), in the core's 18-character form.
const recordId = (page) => page.frameLocator('#crmsync-widget-frame').locator('[data-testid=record-id]').getAttribute('data-id', { timeout: 10_000 });

test('profile page: the badge shows the wasm answer, and follows SPA navigation', { timeout: 60_000 }, async () => {
  const page = await stack.context.newPage();
  await page.goto('https://www.linkedin.com/in/j%C3%BCrgen-m%C3%BCller-1a2b3c/');
  const ui = await crmsyncUi(page);
  const badgeText = () => ui.text('#crmsync-badge');
  // Only the wasm core decodes and lower-cases the slug; the page never shows it this way.
  await eventually(badgeText, (t) => t.includes('profile jürgen-müller-1a2b3c'));
  assert.equal(await ui.attr('#crmsync-badge', 'data-state'), 'no_index');

  await page.evaluate(() => { window.__noReload = true; });
  await page.click('a[href="/in/jane-doe-42/"]');
  await eventually(badgeText, (t) => t.includes('profile jane-doe-42') && !t.includes('jürgen'));
  // The SPA re-rendered its heading; the badge's host sits next to the new one.
  assert.equal(await page.locator('h1 + [data-crmsync]').count(), 1);
  assert.equal(await page.evaluate(() => window.__noReload), true);

  await page.click('a[href="/feed/"]');
  await eventually(() => ui.count('#crmsync-badge'), (n) => n === 0);
  await page.close();
});

test('Lightning record page: the widget iframe shows the record id, and follows SPA navigation', { timeout: 90_000 }, async () => {
  // Signed out, no record page gets the widget; signed in, the org's own pages do.
  const before = await stack.context.newPage();
  await before.goto('https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await before.locator('#crmsync-widget-frame').count(), 0, 'no widget without a session');
  await before.close();
  const popup = await signInFromPopup(stack, await seatedRep(stack));
  await popup.close();
  // Another org's record page: nothing of this org goes there.
  const other = await stack.context.newPage();
  await other.goto('https://globex.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await other.locator('#crmsync-widget-frame').count(), 0, "another org's record page gets no widget");
  await other.close();

  const page = await stack.context.newPage();
  await page.goto('https://acme.lightning.force.com/lightning/r/Contact/0037e00001WZ30qAAD/view');
  assert.equal(await recordId(page), '0037e00001WZ30qAAD');
  const frameSrc = await page.locator('#crmsync-widget-frame').getAttribute('src');
  // use_dynamic_url: the page sees a per-session id, not the extension's own.
  assert.match(frameSrc, /^chrome-extension:\/\/[0-9a-z-]+\/widget\.html#/);
  assert.ok(!frameSrc.includes(stack.extensionId), frameSrc);

  await page.evaluate(() => { window.__noReload = true; });
  await page.click('a[href="/lightning/r/Lead/00Qg5000008th4X/view"]');
  // The URL had a 15-character id; the widget shows the core's 18-character form.
  await eventually(() => recordId(page), (t) => t === '00Qg5000008th4XEAQ');
  assert.equal(await page.evaluate(() => window.__noReload), true, 'navigation must not reload the page');

  await page.click('a[href="/lightning/o/Contact/list"]');
  await eventually(() => page.locator('#crmsync-widget-frame').count(), (n) => n === 0);
  await page.close();
});

test('Classic record page with a 15-character id: the widget shows the 18-character id', { timeout: 60_000 }, async () => {
  const page = await stack.context.newPage();
  await page.goto('https://acme.my.salesforce.com/0015Y00002ZbgP3');
  assert.equal(await recordId(page), '0015Y00002ZbgP3QAJ');
  await page.click('a[href="/0037e00001WZ30r"]');
  await eventually(() => recordId(page), (t) => t === '0037e00001WZ30rAAD');
  await page.close();
});

test('admin console: loads the wasm, says only "connected" until the admin signs in, then shows the org', { timeout: 60_000 }, async () => {
  const anonymous = await stack.context.newPage();
  await anonymous.goto(`${stack.relayUrl}/admin/`);
  await anonymous.locator('[data-state=connected]').waitFor({ timeout: 15_000 });
  assert.equal(await anonymous.locator('[data-testid=org-id]').count(), 0, 'no org details without the admin');
  await anonymous.close();
  await imported(stack);
  const page = await adminConsole(stack);
  const orgId = await page.locator('[data-testid=org-id]').textContent({ timeout: 15_000 });
  assert.equal(orgId, stack.orgId);
  await page.close();
});
