// The Firefox build in Debian's firefox-esr, driven over WebDriver BiDi (puppeteer-core;
// no geckodriver, no browser download): sign-in from the popup through sfsim's login, a
// profile page answered "in CRM" and drawn in a closed shadow root the page cannot open,
// and a message logged from the composer with a real click, written against the record.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startFirefoxStack, eventually, seatedRep, crmContacts } from './harness.mjs';

let stack;
before(async () => { stack = await startFirefoxStack(); });
after(async () => { await stack?.close(); });

test('Firefox: sign-in, a badge, and a logged message', { timeout: 180_000 }, async () => {
  const rep = await seatedRep(stack);
  const { named: [ada], profile } = await crmContacts(stack);
  stack.fixtureData.profiles['ada-in-crm'] = profile(ada);
  const { browser } = stack;
  assert.equal(stack.extensionId, 'crmsync@crmsync.dev');

  // Sign-in: the popup opens the relay's Salesforce login (browser.identity in Firefox).
  const popup = await stack.extensionPage('popup.html');
  await popup.locator('#relay-url').fill(stack.relayUrl);
  const loginTarget = browser.waitForTarget((t) => t.url().startsWith(stack.simUrl), { timeout: 20_000 });
  await popup.locator('#sign-in').click();
  const login = await (await loginTarget).page();
  await login.locator('#username').fill(rep.username);
  await login.locator('#password').fill(rep.password);
  await login.locator('#Login').click();
  await login.locator('#oaapprove').click();
  await eventually(() => popup.$eval('[data-testid=username]', (e) => e.textContent), (t) => t === rep.username, 30_000);
  await eventually(() => popup.$eval('[data-testid=index-status]', (e) => e.textContent), (t) => /version \d+/.test(t), 30_000);
  // Messages are logged from now on (the rep's opt-in, at the relay).
  await popup.locator('[data-testid=kinds] input[data-kind=message]').click();
  await eventually(() => popup.$eval('[data-testid=kinds] input[data-kind=message]', (e) => e.checked), Boolean);

  // The profile page: the service worker answered "in CRM" for this tab, and what the page
  // itself sees of crmsync is an empty host with no shadowRoot.
  const page = await browser.newPage();
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  await page.waitForSelector('h1 + [data-crmsync]', { timeout: 20_000 });
  const answered = await eventually(() => popup.evaluate(() => browser.storage.session.get(null)),
    (all) => Object.values(all).some((a) => a.url === 'https://www.linkedin.com/in/ada-in-crm/' && a.target === ada.Id), 15_000);
  assert.ok(answered);
  const seen = await page.evaluate(() => ({
    roots: [...document.querySelectorAll('[data-crmsync]')].map((h) => h.shadowRoot),
    html: document.documentElement.outerHTML,
  }));
  assert.ok(seen.roots.length >= 1 && seen.roots.every((r) => r === null));
  assert.equal(seen.html.includes('In CRM'), false);
  assert.equal(seen.html.includes(ada.Id), false);

  // A real click on the site's Send logs the message (the composer's toggle is on).
  await page.waitForSelector('form.msg-form [data-crmsync]', { timeout: 15_000 });
  await page.locator('.msg-form__contenteditable').fill('Hello from Firefox');
  await page.locator('.msg-form__send-button').click();
  const { token } = await popup.evaluate(() => new Promise((resolve, reject) => {
    const r = indexedDB.open('crmsync');
    r.onerror = () => reject(r.error);
    r.onsuccess = () => {
      const get = r.result.transaction('session').objectStore('session').get('current');
      get.onsuccess = () => resolve(get.result);
    };
  }));
  const api = async (path) => (await fetch(`${stack.relayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })).json();
  const logged = await eventually(() => api('/api/v1/activities'), (list) => list.some((a) => a.body === 'Hello from Firefox'), 20_000);
  const message = logged.find((a) => a.body === 'Hello from Firefox');
  assert.equal(message.kind, 'message');
  assert.equal(message.target, ada.Id);
  assert.equal(message.state, 'pending');
  await page.close();
  await popup.close();
});
