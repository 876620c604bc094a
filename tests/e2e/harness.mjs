// End-to-end harness: sfsim and the relay on free ports, fixture pages over HTTPS under
// the real host names (Chromium host-resolver rules), and Debian Chromium driven by
// playwright-core with the built unpacked extension loaded.
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:https';
import { createServer as createNetServer, connect } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const binDir = process.env.CRMSYNC_BIN_DIR ?? join(root, 'target', 'debug');
const distDir = process.env.CRMSYNC_DIST ?? join(root, 'dist');

/** Starts a binary and resolves once a stdout line matches `ready`, with the match. */
function startProcess(name, args, env, ready) {
  const child = spawn(join(binDir, name), args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s\n${stderr}`)), 30_000);
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.on('data', (d) => {
      stdout += d;
      const match = stdout.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, stdout: () => stdout, stderr: () => stderr, match });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited with ${code}\n${stderr}`)));
  });
}

/** A self-signed certificate whose SAN lists the mapped host names. */
function certificate(dir) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'),
    '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=crmsync-e2e', '-addext',
    'subjectAltName=DNS:*.lightning.force.com,DNS:*.my.salesforce.com,DNS:www.linkedin.com'], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}

/** Which fixture page a host serves; every path of a host gets its SPA shell. */
function fixtureFor(host) {
  if (host.endsWith('.lightning.force.com')) return 'lightning.html';
  if (host.endsWith('.my.salesforce.com')) return 'classic.html';
  if (host === 'www.linkedin.com') return 'network.html';
  return null;
}

/** The people and companies the fixture network shows; tests add their own. */
function fixtureData() {
  return {
    profiles: {
      'j%C3%BCrgen-m%C3%BCller-1a2b3c': { name: 'Jürgen Müller', headline: 'Engineer at Example GmbH', location: 'Berlin' },
      'jane-doe-42': { name: 'Jane Doe', headline: 'Analyst at Example Corp', location: 'Boston' },
    },
    companies: {},
    leads: {},
  };
}

async function startFixtureServer(dir, data) {
  const server = createServer(certificate(dir), (req, res) => {
    const host = (req.headers.host ?? '').split(':')[0];
    const path = new URL(req.url, 'https://x').pathname;
    if (path === '/fixture-data.js') {
      res.writeHead(200, { 'content-type': 'text/javascript', 'cache-control': 'no-store' });
      res.end(`window.fixtureData = ${JSON.stringify(data)};`);
      return;
    }
    const file = path === '/spa.js' ? 'spa.js' : fixtureFor(host);
    if (!file) {
      res.writeHead(404).end('no fixture for this host');
      return;
    }
    const type = file.endsWith('.js') ? 'text/javascript' : 'text/html; charset=utf-8';
    // A strict page CSP, as the real sites have: the extension must not depend on page scripts.
    res.writeHead(200, { 'content-type': type, 'content-security-policy': "script-src 'self'; object-src 'none'" });
    res.end(readFileSync(join(here, 'fixtures', file)));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** sfsim, the relay and the fixture pages' server, on free ports; `close()` stops them. */
async function startServers({ relayEnv = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-e2e-'));
  // The org's My Domain is acme, as the fixture Salesforce pages' hosts are.
  const sim = await startProcess('sfsim', ['--listen', '127.0.0.1:0', '--data', join(dir, 'sfsim'), '--my-domain', 'acme'], {},
    /^CRMSYNC_SALESFORCE_CLIENT_SECRET=.*$/m);
  const simEnv = Object.fromEntries(sim.stdout().split('\n').filter((l) => l.startsWith('CRMSYNC_'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const orgId = sim.stdout().match(/^# sfsim: org .* \((00D\w{15})\)/m)?.[1];
  // "# user <id> <username> password <password>": the seeded users who can log in.
  const users = [...sim.stdout().matchAll(/^# user (\w{18}) (\S+) password (\S+)/gm)]
    .map(([, id, username, password]) => ({ id, username, password }));
  const env = { ...simEnv, CRMSYNC_DATA_DIR: join(dir, 'relay'), CRMSYNC_WWW_DIR: join(distDir, 'www'), ...relayEnv };
  const launchRelay = (listen) => startProcess('crmsync', ['serve', '--listen', listen], env,
    /^crmsync relay listening on (http:\/\/\S+)$/m);
  let relay = await orClose({ close: async () => { sim.child.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } },
    () => launchRelay('127.0.0.1:0'));
  const relayUrl = relay.match[1];
  const data = fixtureData();
  const fixtures = await startFixtureServer(dir, data);
  return {
    dir,
    orgId,
    users,
    simUrl: simEnv.CRMSYNC_SALESFORCE_LOGIN_URL,
    /** The connected app's credentials (for tests that change the org through sfsim's REST API). */
    simClient: { id: simEnv.CRMSYNC_SALESFORCE_CLIENT_ID, secret: simEnv.CRMSYNC_SALESFORCE_CLIENT_SECRET },
    relayUrl,
    fixturePort: fixtures.address().port,
    /** Stops the relay, runs `whileDown()`, and starts it again on the same address. */
    async restartRelay(whileDown = async () => {}) {
      const exited = new Promise((resolve) => relay.child.once('exit', resolve));
      relay.child.kill('SIGTERM');
      await exited;
      await whileDown();
      relay = await launchRelay(new URL(relayUrl).host);
    },
    /** What the fixture network shows: `profiles[slug]`, `companies[slug]` (mutable). */
    fixtureData: data,
    /** Runs `crmsync ARGS` on the relay's store (as an admin on the relay host would). */
    cli: (args) => execFileSync(join(binDir, 'crmsync'), args, { env: { ...process.env, ...env }, encoding: 'utf8' }),
    async close() {
      fixtures.close();
      fixtures.closeAllConnections();
      relay.child.kill('SIGTERM');
      sim.child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `start()`; when it fails, closes `started` before passing the error on, so that a
 *  browser that does not start leaves no server running (the test file would never end). */
async function orClose(started, start) {
  try {
    return await start();
  } catch (error) {
    await started.close().catch(() => {});
    throw error;
  }
}

/** Everything the e2e tests need in Chromium, torn down by `close()`. `relayEnv` adds settings. */
export async function startStack({ relayEnv = {} } = {}) {
  const servers = await startServers({ relayEnv });
  const port = servers.fixturePort;
  const extDir = join(distDir, 'extension');
  const context = await orClose(servers, () => chromium.launchPersistentContext(join(servers.dir, 'profile'), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    ignoreHTTPSErrors: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--ignore-certificate-errors',
      `--host-resolver-rules=MAP *.lightning.force.com 127.0.0.1:${port}, MAP *.my.salesforce.com 127.0.0.1:${port}, MAP www.linkedin.com 127.0.0.1:${port}`,
      `--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`],
  }));
  const worker = context.serviceWorkers()[0]
    ?? await orClose({ close: async () => { await context.close().catch(() => {}); await servers.close(); } },
      () => context.waitForEvent('serviceworker'));
  return {
    ...servers,
    context,
    extensionId: new URL(worker.url()).host,
    async close() {
      await context.close().catch(() => {});
      await servers.close();
    },
  };
}

/** The moz-extension UUID the Firefox profile is told to give crmsync (so tests know its pages). */
export const FIREFOX_EXTENSION_UUID = '7d3b1c52-6a0e-4f0b-9c1e-2b5d8f4a6e91';

/** A CONNECT proxy sending every HTTPS host to the fixture server (Firefox has no
 *  host-resolver rules); loopback is never proxied, so sfsim and the relay are reached directly. */
async function startFixtureProxy(fixturePort) {
  const server = createNetServer();
  const open = new Set();
  // Closing the proxy ends its tunnels too: an open one would keep the test file running.
  const close = server.close.bind(server);
  server.close = () => { for (const socket of open) socket.destroy(); return close(); };
  server.on('connection', (client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.once('data', (head) => {
      const line = head.toString('latin1').split('\r\n')[0];
      if (!/^CONNECT \S+:443 HTTP\/1\.[01]$/.test(line)) {
        client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
        return;
      }
      const upstream = connect(fixturePort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The same servers with Debian's firefox-esr driven over WebDriver BiDi (puppeteer-core),
 *  the Firefox build of the extension installed unpacked. */
export async function startFirefoxStack({ relayEnv = {} } = {}) {
  const servers = await startServers({ relayEnv });
  const proxy = await startFixtureProxy(servers.fixturePort);
  const started = { close: async () => { proxy.close(); await servers.close(); } };
  const { default: puppeteer } = await import('puppeteer-core');
  // A first start on a fresh machine (a new profile, caches cold, the other core busy) can
  // be slow: each attempt has two minutes, and a second attempt shows Firefox's own output.
  const launch = (attempt) => puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    headless: true,
    timeout: 120_000,
    dumpio: attempt > 1,
    acceptInsecureCerts: true,
    // Firefox 153 lets WebDriver open moz-extension:// pages (the popup) only with this.
    args: ['--remote-allow-system-access'],
    userDataDir: join(servers.dir, `firefox-profile-${attempt}`),
    extraPrefsFirefox: {
      'xpinstall.signatures.required': false,
      'extensions.webextensions.uuids': JSON.stringify({ 'crmsync@crmsync.dev': FIREFOX_EXTENSION_UUID }),
      'network.proxy.type': 1,
      'network.proxy.ssl': '127.0.0.1',
      'network.proxy.ssl_port': proxy.address().port,
      'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
    },
  });
  const browser = await orClose(started, () => launch(1).catch((error) => {
    console.error(`# Firefox did not start (${error.message}); trying once more`);
    return launch(2);
  }));
  const extensionId = await orClose({ close: async () => { await browser.close().catch(() => {}); await started.close(); } },
    () => browser.installExtension(join(distDir, 'extension-firefox')));
  const extensionOrigin = `moz-extension://${FIREFOX_EXTENSION_UUID}`;
  return {
    ...servers,
    browser,
    extensionId,
    extensionOrigin,
    /** A new tab on the extension page `path`. Firefox navigates there but WebDriver BiDi
     *  reports no load event for moz-extension:// pages, so the page's own state is watched. */
    async extensionPage(path) {
      const page = await browser.newPage();
      await page.goto(`${extensionOrigin}/${path}`, { timeout: 2_000 }).catch(() => {});
      await eventually(() => page.evaluate(() => `${location.href} ${document.readyState}`),
        (s) => s === `${extensionOrigin}/${path} complete`, 15_000);
      return page;
    },
    async close() {
      await browser.close().catch(() => {});
      await started.close();
    },
  };
}

/** Polls `read()` until `accept(value)` holds; fails with the last value after `timeout` ms. */
export async function eventually(read, accept, timeout = 10_000) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await read();
      if (accept(last)) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) throw new Error(`condition not met in ${timeout} ms; last value: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Signs `rep` in from the extension popup (the relay's Salesforce login); answers the popup page.
 *  `approved`: the rep approved the app in an earlier login, so sfsim shows no consent page. */
export async function signInFromPopup(stack, rep, { approved = false } = {}) {
  const popup = await stack.context.newPage();
  await popup.goto(`chrome-extension://${stack.extensionId}/popup.html`);
  await popup.fill('#relay-url', `${stack.relayUrl}/admin/`);
  const authPage = stack.context.waitForEvent('page');
  await popup.click('#sign-in');
  const login = await authPage;
  await login.waitForURL((url) => url.href.startsWith(stack.simUrl), { timeout: 15_000 });
  await login.fill('#username', rep.username);
  await login.fill('#password', rep.password);
  if (approved) {
    // The app is approved already: sfsim goes straight back, and the login window closes.
    await login.click('#Login', { noWaitAfter: true }).catch((e) => { if (!login.isClosed()) throw e; });
  } else {
    await login.click('#Login');
    await login.click('#oaapprove', { timeout: 15_000 });
  }
  await eventually(() => popup.locator('[data-testid=username]').textContent(), (t) => t === rep.username, 20_000);
  return popup;
}

/** Waits until the popup shows the org's CRM index (pressing refresh until it arrives);
 *  answers the status line. */
export async function indexReady(popup, shown = /CRM index version \d+/) {
  return eventually(async () => {
    const line = await popup.locator('[data-testid=index-status]').textContent();
    if (!/version \d+/.test(line)) await popup.click('#refresh');
    return line;
  }, (t) => shown.test(t), 30_000);
}

/** Turns logging `kind` on in the popup. The popup re-reads the rep's settings after each
 *  change (and once on opening), so the box is watched until it settles, not just clicked. */
export async function optIn(popup, kind) {
  const box = popup.locator(`[data-testid=kinds] input[data-kind=${kind}]`);
  await eventually(() => box.isEnabled(), Boolean);
  if (!(await box.isChecked())) await box.click();
  await eventually(() => box.isChecked(), Boolean);
}

/** The rep's session as the service worker keeps it (the extension's IndexedDB, out of
 *  content scripts' reach), or null. */
export function storedSession(stack) {
  return stack.context.serviceWorkers()[0].evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open('crmsync');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      return await new Promise((resolve) => {
        const r = db.transaction('session').objectStore('session').get('current');
        r.onsuccess = () => resolve(r.result ?? null);
      });
    } finally {
      db.close();
    }
  });
}

/** The relay's full status, as the admin on the relay's host reads it (`crmsync status
 *  --json`); the open `GET /api/v1/status` says the connection's state only. */
export function adminStatus(stack) {
  return JSON.parse(stack.cli(['status', '--json']));
}

/** Waits until the relay's first import has finished every object. */
export async function imported(stack) {
  await eventually(async () => adminStatus(stack),
    (s) => Object.keys(s.objects ?? {}).length === 7 && Object.values(s.objects).every((o) => o.last_sync), 60_000);
}

/** Opens the admin console signed in as an admin — the demo org's admin user by default,
 *  made an admin with `crmsync admins add` (a relay that connected itself has no admin
 *  until one is named) — in a browser of its own (no extension, no other Salesforce
 *  session); closing the page closes it. */
export async function adminConsole(stack, admin = stack.users.find((u) => u.username.startsWith('admin@'))) {
  await imported(stack);
  stack.cli(['admins', 'add', '--user', admin.username]);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage();
  page.once('close', () => browser.close());
  await page.goto(`${stack.relayUrl}/admin/`);
  await page.click('[data-testid=sign-in]', { timeout: 15_000 });
  await page.locator('#username').waitFor({ timeout: 15_000 });
  await page.fill('#username', admin.username);
  await page.fill('#password', admin.password);
  await page.click('#Login');
  const approve = page.locator('#oaapprove');
  const consent = await Promise.race([
    approve.waitFor({ timeout: 15_000 }).then(() => true),
    page.waitForURL(`${stack.relayUrl}/admin/`, { timeout: 15_000 }).then(() => false),
  ]);
  if (consent) await approve.click();
  await page.waitForURL(`${stack.relayUrl}/admin/`, { timeout: 15_000 });
  await page.locator('[data-testid=admin]').filter({ hasText: 'Signed in as' }).waitFor({ timeout: 15_000 });
  return page;
}

/** After the first import: a rep (not the admin or integration user) with a seat, and
 *  write-back enabled unless `writeback` is false. */
export async function seatedRep(stack, { writeback = true } = {}) {
  await imported(stack);
  const rep = stack.users.find((u) => !u.username.startsWith('admin@') && !u.username.startsWith('integration@'));
  stack.cli(['seats', 'add', '--user', rep.username]);
  if (writeback) stack.cli(['writeback', 'enable', '--user', rep.username]);
  return rep;
}

/** The org's contacts that have a name and an account, with `accountOf[id]`, and what a
 *  network profile page of a contact shows. */
export async function crmContacts(stack) {
  const [contacts, accounts] = await Promise.all(['Contact', 'Account'].map((o) => simRecords(stack, o)));
  const accountOf = Object.fromEntries(accounts.map((a) => [a.Id, a]));
  const named = contacts.filter((c) => c.FirstName && c.LastName && accountOf[c.AccountId]?.Name);
  const profile = (c) => ({ name: `${c.FirstName} ${c.LastName}`, headline: `Director at ${accountOf[c.AccountId].Name}`,
    location: c.MailingCity ?? '' });
  return { named, accountOf, profile };
}

/** Live records of `object` in sfsim (the oracle). */
export async function simRecords(stack, object) {
  return (await fetch(`${stack.simUrl}/__sim/records/${object}`)).json();
}

/** Changes the org through sfsim's REST API as the connected app: `method` on
 *  `/services/data/v66.0/sobjects/<path>`; answers the response's JSON (or null). */
export async function sfRest(stack, method, path, body) {
  const form = new URLSearchParams({
    grant_type: 'client_credentials', client_id: stack.simClient.id, client_secret: stack.simClient.secret,
  });
  const token = (await (await fetch(`${stack.simUrl}/services/oauth2/token`, { method: 'POST', body: form })).json())
    .access_token;
  const response = await fetch(`${stack.simUrl}/services/data/v66.0/sobjects/${path}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
}
