// A rep signs in from the extension popup (the relay's Salesforce login, PKCE, through
// chrome.identity), the org's badge index arrives from the relay into IndexedDB and the
// wasm core, and network pages show "In CRM" (object, owner, link to the record, CRM
// contact details on demand) or "Not in CRM"; search results get a badge each and the
// All / In CRM / Not in CRM filter. Sign-out revokes the token and wipes local data. For a
// profile the org-wide directory knows, the badge shows the relay's stored match: the same
// record and probability the widget's API answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, signInFromPopup, imported, seatedRep, simRecords, adminStatus, adminConsole, storedSession, crmContacts, indexReady } from './harness.mjs';
import { crmsyncUi } from './shadow.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('signed-in rep: badges, contact details, search filter; sign-out wipes everything', { timeout: 120_000 }, async () => {
  const rep = await seatedRep(stack, { writeback: false });

  const [contacts, accounts, users] = await Promise.all(['Contact', 'Account', 'User'].map((o) => simRecords(stack, o)));
  const byId = (list) => Object.fromEntries(list.map((r) => [r.Id, r]));
  const accountOf = byId(accounts);
  const userOf = byId(users);
  const [ada, bob] = contacts.filter((c) => c.FirstName && c.LastName && c.Email && accountOf[c.AccountId]?.Name);
  const profile = (c) => ({
    name: `${c.FirstName} ${c.LastName}`,
    headline: `Director at ${accountOf[c.AccountId].Name}`,
    location: c.MailingCity ?? '',
  });
  const profiles = stack.fixtureData.profiles;
  for (const slug of Object.keys(profiles)) delete profiles[slug];
  profiles['ada-in-crm'] = profile(ada);
  profiles['bob-in-crm'] = profile(bob);
  profiles['zeb-nobody'] = { name: 'Zebulon Quartermaine-Xylophone', headline: 'Keeper at Nowhere Lighthouse Trust' };

  const popup = await signInFromPopup(stack, rep);
  await indexReady(popup, /CRM index version \d+: \d+ people, \d+ companies/);

  const page = await stack.context.newPage();
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  // Everything crmsync draws is in closed shadow roots: the test reaches it over CDP.
  const ui = await crmsyncUi(page);
  const state = () => ui.attr('#crmsync-badge', 'data-state');
  await eventually(state, (s) => s === 'in_crm', 15_000);
  // A contact shows its own owner (its account's when it has none).
  const owner = userOf[ada.OwnerId ?? accountOf[ada.AccountId].OwnerId].Name;
  assert.equal(await ui.text('#crmsync-badge'), `In CRM · Contact · ${owner}`);
  assert.equal(await ui.attr('#crmsync-badge', 'href'), `${stack.simUrl}/lightning/r/Contact/${ada.Id}/view`);
  assert.match(await ui.attr('#crmsync-badge', 'title'), new RegExp(`^${ada.FirstName} ${ada.LastName} — Contact ${ada.Id}`));
  // The page's own scripts see an empty host and no CRM data.
  const hosts = await page.evaluate(() => [...document.querySelectorAll('[data-crmsync]')].map((h) => [h.shadowRoot, h.textContent]));
  assert.ok(hosts.length >= 1 && hosts.every(([root, text]) => root === null && text === ''), JSON.stringify(hosts));
  assert.equal(await page.evaluate((name) => document.documentElement.outerHTML.includes(name), owner), false);

  // Contact details come from the relay on demand, not from the index.
  await ui.click('#crmsync-badge-contact');
  assert.equal(await ui.text('#crmsync-contact [data-field=email] a'), ada.Email);
  assert.equal(await ui.text('#crmsync-contact [data-field=company] span'), accountOf[ada.AccountId].Name);
  assert.equal(await page.evaluate((email) => document.documentElement.outerHTML.includes(email), ada.Email), false);

  // SPA navigation to someone the org does not have.
  await page.click('a[href="/in/zeb-nobody/"]');
  await eventually(state, (s) => s === 'not_in_crm');
  assert.equal(await ui.text('#crmsync-badge'), 'Not in CRM');
  assert.equal(await ui.count('#crmsync-contact, #crmsync-badge-contact'), 0);

  // Search results: a badge per result, and the filter.
  await page.click('a[href="/search/results/people/?keywords=x"]');
  await eventually(() => ui.count('.crmsync-result-badge'), (n) => n === 3);
  assert.equal(await ui.count('.crmsync-result-badge[data-state=in_crm]'), 2);
  assert.equal(await ui.count('.crmsync-result-badge[data-state=not_in_crm]'), 1);
  assert.equal(await ui.count('#crmsync-badge'), 0, 'a results page has no page badge');
  const visible = () => page.locator('li.reusable-search__result-container:visible').count();
  await ui.click('#crmsync-filter [data-filter=in_crm]');
  assert.equal(await visible(), 2);
  await ui.click('#crmsync-filter [data-filter=not_in_crm]');
  assert.equal(await visible(), 1);
  assert.match(await page.locator('li.reusable-search__result-container:visible a').first().textContent(), /Zebulon/);
  await ui.click('#crmsync-filter [data-filter=all]');
  assert.equal(await visible(), 3);

  // Sales Navigator marks its fields (data-anonymize): a lead page and a lead search.
  stack.fixtureData.leads['ACwAAAda1'] = { name: `${ada.FirstName} ${ada.LastName}`, title: 'Director',
    headline: `Director at ${accountOf[ada.AccountId].Name}`, company: accountOf[ada.AccountId].Name, location: ada.MailingCity ?? '' };
  stack.fixtureData.leads['ACwAAAzz9'] = { name: 'Quintus Nobody', title: 'Clerk', company: 'Nowhere Ltd', location: 'Atlantis' };
  await page.goto('https://www.linkedin.com/sales/lead/ACwAAAda1,NAME_SEARCH,x');
  await eventually(state, (s) => s === 'in_crm', 15_000);
  assert.equal(await ui.attr('#crmsync-badge', 'href'), `${stack.simUrl}/lightning/r/Contact/${ada.Id}/view`);
  await page.goto('https://www.linkedin.com/sales/search/people?query=x');
  await eventually(() => ui.count('.crmsync-result-badge'), (n) => n === 2, 15_000);
  assert.equal(await ui.count('.crmsync-result-badge[data-state=in_crm]'), 1);
  assert.equal(await ui.count('.crmsync-result-badge[data-state=not_in_crm]'), 1);

  // The org changes and the relay imports: the popup's refresh brings a delta, not a snapshot.
  const added = (await (await fetch(`${stack.simUrl}/__sim/mutate`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ object: 'Contact', added: 1 }) })).json()).added[0];
  stack.cli(['import']);
  const newcomer = (await simRecords(stack, 'Contact')).find((c) => c.Id === added);
  profiles['new-in-crm'] = { name: `${newcomer.FirstName} ${newcomer.LastName}`,
    headline: `Director at ${accountOf[newcomer.AccountId]?.Name ?? 'Somewhere'}`, location: newcomer.MailingCity ?? '' };
  await popup.click('#refresh');
  const worker = stack.context.serviceWorkers()[0];
  await eventually(async () => (await worker.evaluate(() => chrome.storage.local.get('index'))).index.deltas, (n) => n === 1);
  await page.goto('https://www.linkedin.com/in/new-in-crm/');
  await eventually(() => ui.attr('#crmsync-badge', 'href'), (h) => h === `${stack.simUrl}/lightning/r/Contact/${added}/view`, 15_000);

  // A page whose markup changed: the badge still shows, and the relay hears about it.
  profiles['changed-markup'] = { name: 'Changed Markup', headline: 'Somewhere', noHeading: true };
  await page.goto('https://www.linkedin.com/in/changed-markup/');
  // The name comes from the tab title instead; the badge goes to the top of the page.
  await eventually(state, (s) => s === 'not_in_crm');
  const problems = await eventually(async () => adminStatus(stack).page_problems,
    (p) => p.some((x) => x.page === 'profile' && x.missing === 'heading'), 20_000);
  assert.deepEqual(problems.map((x) => [x.page, x.missing, x.count]), [['profile', 'heading', 1]]);
  const console = await adminConsole(stack);
  assert.match(await console.locator('[data-testid=page-health] li').textContent({ timeout: 15_000 }),
    /profile pages without their heading \(1 reports\)/);
  await console.close();

  // Sign-out: the token is revoked at the relay, the index and session are gone here.
  const session = await storedSession(stack);
  assert.ok(session?.token, 'the token is kept in the extension\'s IndexedDB');
  await popup.click('#sign-out');
  await popup.locator('#sign-in-form').waitFor({ state: 'visible', timeout: 10_000 });
  const me = await fetch(`${stack.relayUrl}/api/v1/me`, { headers: { authorization: `Bearer ${session.token}` } });
  assert.equal(me.status, 401);
  const left = await worker.evaluate(async () => {
    const stored = await chrome.storage.local.get(null);
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('crmsync');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const count = (store) => new Promise((resolve) => {
      const r = db.transaction(store).objectStore(store).count();
      r.onsuccess = () => resolve(r.result);
    });
    const counts = { snapshots: await count('index'), sessions: await count('session') };
    db.close();
    return { keys: Object.keys(stored).sort(), ...counts };
  });
  assert.deepEqual(left, { keys: ['relayUrl'], snapshots: 0, sessions: 0 });
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  await eventually(state, (s) => s === 'no_index');
  await page.close();
  await popup.close();
});

test('a profile the directory knows: the badge, the widget API and the stored match name the same record', { timeout: 120_000 }, async () => {
  const rep = await seatedRep(stack, { writeback: false });
  const token = stack.cli(['token', '--user', rep.username]).trim();
  const { named, accountOf } = await crmContacts(stack);
  const people = named.filter((c) => c.Email).slice(20, 25);
  assert.equal(people.length, 5);
  // A Connections.csv with five of the org's contacts: the relay's pass links them.
  const quote = (v) => `"${String(v ?? '').replaceAll('"', '""')}"`;
  const csv = ['First Name,Last Name,URL,Email Address,Company,Position,Connected On',
    ...people.map((c, i) => [c.FirstName, c.LastName, `https://www.linkedin.com/in/agree-${i}`, c.Email,
      accountOf[c.AccountId].Name, 'Buyer', '01 Jan 2026'].map(quote).join(','))].join('\n');
  const api = async (method, path, body) => {
    const r = await fetch(`${stack.relayUrl}${path}`, { method, body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    assert.equal(r.status, 200, `${method} ${path}: ${r.status}`);
    return r.json();
  };
  await api('POST', '/api/v1/directory/connections', csv);
  const stored = await Promise.all(people.map((c) => api('GET', `/api/v1/matches/${c.Id}`)));
  stored.forEach((m, i) => {
    assert.equal(m.matched?.profile.network_id, `agree-${i}`, JSON.stringify(m));
    assert.equal(m.matched.method, 'auto');
  });

  // The pages show somebody else entirely: scoring what a page shows would find nobody,
  // so a badge naming the contact can only come from the relay's stored match.
  const profiles = stack.fixtureData.profiles;
  for (const slug of Object.keys(profiles)) delete profiles[slug];
  people.forEach((_, i) => { profiles[`agree-${i}`] = { name: `Quillon Vexmoor ${'I'.repeat(i + 1)}`, headline: 'Keeper at Nowhere Lighthouse Trust' }; });
  profiles['vexmoor-unknown'] = { name: 'Quillon Vexmoor', headline: 'Keeper at Nowhere Lighthouse Trust' };
  await stack.context.clearCookies(); // a fresh login at sfsim; the rep approved the app before
  const popup = await signInFromPopup(stack, rep, { approved: true });
  await indexReady(popup);
  const page = await stack.context.newPage();
  const ui = await crmsyncUi(page);
  const badgeOf = async (slug) => {
    await page.goto(`https://www.linkedin.com/in/${slug}/`);
    await eventually(() => ui.attr('#crmsync-badge', 'data-state'), (s) => s === 'in_crm' || s === 'not_in_crm', 15_000);
    return { state: await ui.attr('#crmsync-badge', 'data-state'), href: await ui.attr('#crmsync-badge', 'href'),
      title: await ui.attr('#crmsync-badge', 'title') };
  };
  for (const [i, c] of people.entries()) {
    const badge = await badgeOf(`agree-${i}`);
    assert.equal(badge.state, 'in_crm', `agree-${i}: ${JSON.stringify(badge)}`);
    assert.equal(badge.href, `${stack.simUrl}/lightning/r/Contact/${c.Id}/view`);
    // The same probability as the widget's answer, as the badge rounds it.
    assert.ok(badge.title.includes(`${(stored[i].matched.probability * 100).toFixed(0)} % likely`), `${badge.title} / ${stored[i].matched.probability}`);
  }
  assert.equal((await badgeOf('vexmoor-unknown')).state, 'not_in_crm', 'a profile the directory does not know is scored from its page');

  // "Not this one" on one of them: the widget's answer and, after a refresh, the badge agree.
  await api('POST', '/api/v1/matches', JSON.stringify({ crm_id: people[0].Id, network_id: 'agree-0', kind: 'not_match' }));
  assert.equal((await api('GET', `/api/v1/matches/${people[0].Id}`)).matched, null);
  await popup.click('#refresh');
  await eventually(async () => (await badgeOf('agree-0')).state, (s) => s === 'not_in_crm', 20_000);
  assert.equal((await badgeOf('agree-1')).href, `${stack.simUrl}/lightning/r/Contact/${people[1].Id}/view`);
  await page.close();
  await popup.click('#sign-out');
  await popup.locator('#sign-in-form').waitFor({ state: 'visible', timeout: 10_000 });
  await popup.close();
});

test('a user without a seat is refused with a clear message', { timeout: 60_000 }, async () => {
  await imported(stack);
  // A rep nobody gave a seat (the first rep is seated; the admin has approved the app already).
  const admin = stack.users.filter((u) => !u.username.startsWith('admin@') && !u.username.startsWith('integration@'))[1];
  await stack.context.clearCookies();
  const popup = await stack.context.newPage();
  await popup.goto(`chrome-extension://${stack.extensionId}/popup.html`);
  await popup.fill('#relay-url', stack.relayUrl);
  const authPage = stack.context.waitForEvent('page');
  await popup.click('#sign-in');
  const login = await authPage;
  await login.fill('#username', admin.username, { timeout: 15_000 });
  await login.fill('#password', admin.password);
  await login.click('#Login');
  await login.click('#oaapprove', { timeout: 15_000 });
  const error = await eventually(() => popup.locator('[data-testid=error]').textContent(), (t) => t.length > 0, 20_000);
  assert.match(error, /has no crmsync seat; ask your admin for one/);
  await popup.close();
});
