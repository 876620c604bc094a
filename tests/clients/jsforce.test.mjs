// sfsim driven by a Salesforce client nobody here wrote: jsforce 3 (npm). Every call the
// relay makes, and the SOQL and REST that tests use to set up exact records, must come
// back in the shape jsforce expects; a shape it does not understand fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsforce from 'jsforce';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binDir = process.env.CRMSYNC_BIN_DIR ?? join(root, 'target', 'debug');
let sim;
let dir;
let env;
let conn;

/** Starts sfsim on a free port and reads the settings it prints. */
async function startSim() {
  dir = mkdtempSync(join(tmpdir(), 'crmsync-jsforce-'));
  const child = spawn(join(binDir, 'sfsim'), ['--listen', '127.0.0.1:0', '--data', join(dir, 'sfsim'), '--seed-org', '400'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (/^CRMSYNC_SALESFORCE_CLIENT_SECRET=.*$/m.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`sfsim exited with ${code}`)));
  });
  const settings = Object.fromEntries(out.split('\n').filter((l) => l.startsWith('CRMSYNC_'))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const users = [...out.matchAll(/^# user (\w{18}) (\S+) password (\S+)/gm)].map(([, id, username, password]) => ({ id, username, password }));
  return { child, settings, users, orgId: out.match(/^# sfsim: org .* \((00D\w{15})\)/m)?.[1] };
}

before(async () => {
  sim = await startSim();
  env = sim.settings;
  conn = new jsforce.Connection({
    oauth2: { loginUrl: env.CRMSYNC_SALESFORCE_LOGIN_URL, clientId: env.CRMSYNC_SALESFORCE_CLIENT_ID,
      clientSecret: env.CRMSYNC_SALESFORCE_CLIENT_SECRET },
    version: '66.0',
  });
});
after(() => { sim?.child.kill(); if (dir) rmSync(dir, { recursive: true, force: true }); });

test('OAuth client credentials, identity and limits', async () => {
  const info = await conn.authorize({ grant_type: 'client_credentials' });
  assert.equal(info.organizationId, sim.orgId);
  const identity = await conn.identity();
  assert.equal(identity.organization_id, sim.orgId);
  assert.ok(identity.username.includes('@'));
  const limits = await conn.limits();
  assert.ok(limits.DailyApiRequests.Max > 0, JSON.stringify(limits.DailyApiRequests));
});

test('describe global and describe', async () => {
  const global = await conn.describeGlobal();
  const contact = global.sobjects.find((o) => o.name === 'Contact');
  assert.equal(contact.keyPrefix, '003');
  assert.equal(contact.urls.describe, '/services/data/v66.0/sobjects/Contact/describe');
  const lead = await conn.sobject('Lead').describe();
  assert.equal(lead.keyPrefix, '00Q');
  assert.ok(lead.fields.some((f) => f.name === 'LastName' && f.type === 'string'));
});

test('SOQL: relationship fields, ORDER BY, LIMIT, OFFSET, booleans, COUNT() with WHERE, paging', async () => {
  const joined = await conn.query('SELECT Id, LastName, Account.Name FROM Contact WHERE Account.Name != null ORDER BY LastName, Id LIMIT 5');
  assert.equal(joined.records.length, 5);
  assert.equal(typeof joined.records[0].Account.Name, 'string');
  const names = joined.records.map((r) => r.LastName.toLowerCase());
  assert.deepEqual(names, [...names].sort());
  const window = await conn.query('SELECT Id FROM Contact WHERE Account.Name != null ORDER BY LastName, Id LIMIT 2 OFFSET 3');
  const all = await conn.query('SELECT Id FROM Contact WHERE Account.Name != null ORDER BY LastName, Id LIMIT 5');
  assert.deepEqual(window.records.map((r) => r.Id), all.records.slice(3, 5).map((r) => r.Id));
  const converted = await conn.query('SELECT COUNT() FROM Lead WHERE IsConverted = true');
  const open = await conn.query('SELECT COUNT() FROM Lead WHERE IsConverted = false');
  const leads = await conn.query('SELECT COUNT() FROM Lead');
  assert.ok(converted.totalSize > 0);
  assert.equal(converted.totalSize + open.totalSize, leads.totalSize);
  // autoFetch walks nextRecordsUrl batches the way jsforce expects them.
  const records = [];
  await new Promise((resolve, reject) => {
    conn.query('SELECT Id FROM Contact').on('record', (r) => records.push(r)).on('end', resolve).on('error', reject)
      .run({ autoFetch: true, maxFetch: 100000 });
  });
  const count = await conn.query('SELECT COUNT() FROM Contact');
  assert.equal(records.length, count.totalSize);
  const everything = await conn.query('SELECT Id, IsDeleted FROM Contact', { scanAll: true });
  assert.ok(everything.totalSize >= count.totalSize);
});

test('retrieve one record, and a clear error for an unknown one', async () => {
  const [first] = (await conn.query('SELECT Id, LastName FROM Contact ORDER BY Id LIMIT 1')).records;
  const one = await conn.sobject('Contact').retrieve(first.Id);
  assert.equal(one.Id, first.Id);
  assert.equal(one.LastName, first.LastName);
  await assert.rejects(conn.sobject('Contact').retrieve('003000000000000AAA'), (e) => e.errorCode === 'NOT_FOUND');
  await assert.rejects(conn.query('SELECT Id FROM Contact WHERE'), (e) => e.errorCode === 'MALFORMED_QUERY');
});

test('Bulk API 2.0 query, and writes of tasks one at a time and through Collections', async () => {
  const rows = await (await conn.bulk2.query('SELECT Id, LastName FROM Contact')).toArray();
  const count = await conn.query('SELECT COUNT() FROM Contact');
  assert.equal(rows.length, count.totalSize);
  assert.ok(rows[0].Id.startsWith('003'));
  const [lead] = (await conn.query('SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1')).records;
  const one = await conn.sobject('Task').create({ Subject: 'Call', WhoId: lead.Id });
  assert.ok(one.success && one.id.startsWith('00T'), JSON.stringify(one));
  const many = await conn.sobject('Task').create([{ Subject: 'A', WhoId: lead.Id }, { Subject: 'B', WhoId: lead.Id }]);
  assert.ok(many.every((r) => r.success), JSON.stringify(many));
  const found = await conn.query(`SELECT Id FROM Task WHERE WhoId = '${lead.Id}'`);
  assert.equal(found.totalSize, 3);
});

test('exact records: create, update, move, delete to the recycle bin, with Salesforce\'s validation', async () => {
  const account = await conn.sobject('Account').create({ Name: 'Ada Analytical' });
  const other = await conn.sobject('Account').create({ Name: 'Babbage Engines' });
  assert.ok(account.success && account.id.startsWith('001'), JSON.stringify(account));
  const contact = await conn.sobject('Contact').create({ FirstName: 'Ada', LastName: 'Lovelace', AccountId: account.id, Email: 'ada@example.com' });
  assert.ok(contact.success && contact.id.startsWith('003'));
  const before = await conn.sobject('Contact').retrieve(contact.id);
  assert.equal(before.AccountId, account.id);
  // The contact moves account: an update, stamped.
  await new Promise((r) => setTimeout(r, 5));
  const moved = await conn.sobject('Contact').update({ Id: contact.id, AccountId: other.id });
  assert.ok(moved.success, JSON.stringify(moved));
  const after = await conn.sobject('Contact').retrieve(contact.id);
  assert.equal(after.AccountId, other.id);
  assert.ok(after.SystemModstamp > before.SystemModstamp, `${after.SystemModstamp} after ${before.SystemModstamp}`);
  const joined = await conn.query(`SELECT Account.Name FROM Contact WHERE Id = '${contact.id}'`);
  assert.equal(joined.records[0].Account.Name, 'Babbage Engines');
  // An opportunity changes owner.
  const users = (await conn.query('SELECT Id FROM User WHERE IsActive = true ORDER BY Id LIMIT 2')).records;
  const opp = await conn.sobject('Opportunity').create({ Name: 'Engines', StageName: 'Prospecting', CloseDate: '2027-01-31', AccountId: other.id, OwnerId: users[0].Id, Amount: 5000 });
  assert.ok(opp.success, JSON.stringify(opp));
  await conn.sobject('Opportunity').update({ Id: opp.id, OwnerId: users[1].Id });
  assert.equal((await conn.sobject('Opportunity').retrieve(opp.id)).OwnerId, users[1].Id);
  // Salesforce's validation, one error code each.
  const missing = await conn.sobject('Lead').create({ LastName: 'NoCompany' }).catch((e) => e);
  assert.equal(missing.errorCode, 'REQUIRED_FIELD_MISSING');
  const dangling = await conn.sobject('Contact').create({ LastName: 'X', AccountId: '001000000000000AAA' }).catch((e) => e);
  assert.equal(dangling.errorCode, 'INVALID_CROSS_REFERENCE_KEY');
  const typed = await conn.sobject('Opportunity').create({ Name: 'T', StageName: 'Prospecting', CloseDate: 'soon' }).catch((e) => e);
  assert.equal(typed.errorCode, 'INVALID_TYPE_ON_FIELD_IN_RECORD');
  // Deleted: gone from query, in queryAll with IsDeleted, and refused for updates.
  const gone = await conn.sobject('Contact').destroy(contact.id);
  assert.ok(gone.success, JSON.stringify(gone));
  assert.equal((await conn.query(`SELECT Id FROM Contact WHERE Id = '${contact.id}'`)).totalSize, 0);
  const binned = await conn.query(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${contact.id}'`, { scanAll: true });
  assert.equal(binned.records[0].IsDeleted, true);
  const late = await conn.sobject('Contact').update({ Id: contact.id, LastName: 'Late' }).catch((e) => e);
  assert.equal(late.errorCode, 'ENTITY_IS_DELETED');
  const onDeleted = await conn.sobject('Contact').create({ LastName: 'Y', AccountId: other.id });
  assert.ok(onDeleted.success);
  // Collections update and delete.
  const leads = await conn.sobject('Lead').create([{ LastName: 'One', Company: 'A' }, { LastName: 'Two', Company: 'B' }]);
  assert.ok(leads.every((r) => r.success), JSON.stringify(leads));
  const renamed = await conn.sobject('Lead').update(leads.map((l, i) => ({ Id: l.id, Company: `Renamed ${i}` })));
  assert.ok(renamed.every((r) => r.success), JSON.stringify(renamed));
  const companies = await conn.query(`SELECT Company FROM Lead WHERE Id IN ('${leads[0].id}', '${leads[1].id}') ORDER BY Company`);
  assert.deepEqual(companies.records.map((r) => r.Company), ['Renamed 0', 'Renamed 1']);
  const removed = await conn.sobject('Lead').destroy(leads.map((l) => l.id));
  assert.ok(removed.every((r) => r.success), JSON.stringify(removed));
});

test('write-back setup and writes: Tooling custom field and record type, upsert by external id, getUpdated/getDeleted', async () => {
  const field = await conn.tooling.sobject('CustomField').create({
    FullName: 'Activity.Crmsync_Activity_Id__c',
    Metadata: { type: 'Text', length: 36, externalId: true, unique: true, caseSensitive: false, label: 'crmsync Activity Id' },
  });
  assert.ok(field.success, JSON.stringify(field));
  const recordType = await conn.tooling.sobject('RecordType').create({ FullName: 'Task.InMail', Metadata: { label: 'InMail', active: true } });
  assert.ok(recordType.success, JSON.stringify(recordType));
  const types = await conn.query("SELECT Id, DeveloperName, SobjectType, IsActive FROM RecordType WHERE DeveloperName = 'InMail'");
  assert.equal(types.records[0].SobjectType, 'Task');
  const [lead] = (await conn.query('SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1')).records;
  const task = { Subject: 'InMail', WhoId: lead.Id, RecordTypeId: types.records[0].Id, Crmsync_Activity_Id__c: 'f0e1d2c3-0000-4000-8000-000000000001' };
  const first = await conn.sobject('Task').upsert([task, { ...task, Crmsync_Activity_Id__c: 'f0e1d2c3-0000-4000-8000-000000000002' }], 'Crmsync_Activity_Id__c');
  assert.ok(first.every((r) => r.success && r.created), JSON.stringify(first));
  const again = await conn.sobject('Task').upsert([task], 'Crmsync_Activity_Id__c');
  assert.ok(again.every((r) => r.success && !r.created), 'a retried write creates nothing: ' + JSON.stringify(again));
  const written = await conn.query("SELECT COUNT() FROM Task WHERE Crmsync_Activity_Id__c = 'f0e1d2c3-0000-4000-8000-000000000001'");
  assert.equal(written.totalSize, 1);
  const start = new Date(Date.now() - 24 * 3600 * 1000);
  const end = new Date(Date.now() + 60 * 1000);
  const updated = await conn.sobject('Contact').updated(start, end);
  assert.ok(Array.isArray(updated.ids) && typeof updated.latestDateCovered === 'string', JSON.stringify(updated).slice(0, 200));
  const deleted = await conn.sobject('Contact').deleted(start, end);
  assert.ok(Array.isArray(deleted.deletedRecords), JSON.stringify(deleted).slice(0, 200));
});

/** `name=value` of every `<input>` on a page (sfsim's login and consent forms). */
function inputs(html) {
  const unescape = (t) => t.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  return [...html.matchAll(/<input([^>]*)>/g)].map(([, attrs]) => [
    unescape(attrs.match(/name="([^"]*)"/)?.[1] ?? ''), unescape(attrs.match(/value="([^"]*)"/)?.[1] ?? ''),
  ]).filter(([name]) => name);
}

test('the web-server flow with PKCE, then a refresh', async () => {
  const admin = sim.users.find((u) => u.username.startsWith('admin@'));
  const oauth2 = new jsforce.OAuth2({ loginUrl: env.CRMSYNC_SALESFORCE_LOGIN_URL, clientId: env.CRMSYNC_SALESFORCE_CLIENT_ID,
    clientSecret: env.CRMSYNC_SALESFORCE_CLIENT_SECRET, redirectUri: 'http://127.0.0.1:9/callback', useVerifier: true });
  const authorize = oauth2.getAuthorizationUrl({ scope: 'api refresh_token', state: 'jsforce' });
  assert.match(authorize, /code_challenge=/);
  const base = env.CRMSYNC_SALESFORCE_LOGIN_URL;
  let cookie = '';
  const go = async (url, init = {}) => {
    const response = await fetch(new URL(url, base), { redirect: 'manual', ...init, headers: { ...(init.headers ?? {}), cookie } });
    const set = response.headers.get('set-cookie');
    if (set) cookie = set.split(';')[0];
    return response;
  };
  const form = (pairs) => ({ method: 'POST', body: new URLSearchParams(pairs),
    headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const loginPage = await (await go(authorize)).text();
  const startURL = inputs(loginPage).find(([k]) => k === 'startURL');
  const loggedIn = await go('/login', form([startURL, ['username', admin.username], ['password', admin.password]]));
  assert.ok(loggedIn.headers.get('location'), `login answered ${loggedIn.status}: ${(await loggedIn.text()).slice(0, 300)}`);
  let back = await go(loggedIn.headers.get('location'));
  if (back.status === 200) {
    // A user who has not approved the app yet sees the consent page.
    const consentPage = await back.text();
    assert.match(consentPage, /Allow Access\?/);
    back = await go('/services/oauth2/authorize/consent', form([...inputs(consentPage), ['decision', 'allow']]));
  }
  assert.ok(back.headers.get('location'), `authorize answered ${back.status}: ${(await back.text()).slice(0, 300)}`);
  const callback = new URL(back.headers.get('location'));
  assert.equal(callback.searchParams.get('state'), 'jsforce');
  const web = new jsforce.Connection({ oauth2, version: '66.0' });
  const info = await web.authorize(callback.searchParams.get('code'));
  assert.equal(info.id, admin.id);
  assert.ok(web.refreshToken, 'a refresh token with the refresh_token scope');
  const refreshed = await oauth2.refreshToken(web.refreshToken);
  assert.ok(refreshed.access_token && refreshed.access_token !== web.accessToken);
  const again = new jsforce.Connection({ accessToken: refreshed.access_token, instanceUrl: refreshed.instance_url, version: '66.0' });
  assert.equal((await again.query('SELECT COUNT() FROM Account')).totalSize > 0, true);
});

test('a note on a lead', async () => {
  const [lead] = (await conn.query('SELECT Id FROM Lead WHERE IsConverted = false LIMIT 1')).records;
  const note = await conn.sobject('Note').create({ ParentId: lead.Id, Title: 'Met at the summit', Body: 'Wants pricing' });
  assert.ok(note.success && note.id.startsWith('002'), JSON.stringify(note));
  const missing = await conn.sobject('Note').create({ ParentId: lead.Id }).catch((e) => e);
  assert.equal(missing.errorCode, 'REQUIRED_FIELD_MISSING');
});

test('revoke ends the session', async () => {
  const { accessToken, instanceUrl } = conn;
  await conn.logoutByOAuth2();
  const stale = new jsforce.Connection({ accessToken, instanceUrl, version: '66.0' });
  await assert.rejects(stale.query('SELECT Id FROM Contact LIMIT 1'), (e) => e.errorCode === 'INVALID_SESSION_ID');
});
