// Service worker: hosts the wasm core and routes content-script and popup messages to
// it. Every decision about pages and badges is made in Rust; this file only dispatches.
import init, { pageAnswer } from './pkg/crmsync.js';
import * as session from './background/session.js';
import * as badgeIndex from './background/badge-index.js';
import * as directory from './background/directory.js';
import * as outbox from './background/outbox.js';
import * as savedLists from './background/lists.js';

const ready = init({ module_or_path: new URL('./pkg/crmsync_bg.wasm', import.meta.url) });
const REFRESH_ALARM = 'crmsync-index-refresh';
const REFRESH_MINUTES = 30;
const OUTBOX_ALARM = 'crmsync-outbox-retry';

/** Tells the popup and every tab's content scripts that the session or index changed
 *  (they ask again; nothing secret travels with it). */
async function broadcast() {
  const message = { type: 'crmsync:changed' };
  chrome.runtime.sendMessage(message).catch(() => {});
  for (const tab of await chrome.tabs.query({}).catch(() => [])) {
    if (tab.id !== undefined) chrome.tabs.sendMessage(tab.id, message).catch(() => {});
  }
}

session.sessionEvents.addEventListener('ended', () => badgeIndex.purge().finally(broadcast));
session.sessionEvents.addEventListener('started', broadcast);
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes.index) broadcast();
});

chrome.alarms.get(REFRESH_ALARM).then((alarm) => {
  if (!alarm) chrome.alarms.create(REFRESH_ALARM, { periodInMinutes: REFRESH_MINUTES });
});
chrome.alarms.get(OUTBOX_ALARM).then((alarm) => {
  if (!alarm) chrome.alarms.create(OUTBOX_ALARM, { periodInMinutes: 1 });
});
chrome.alarms.onAlarm.addListener(async (alarm) => {
  await ready;
  if (!(await session.current())) return;
  const warn = (e) => console.warn('crmsync:', e.message);
  if (alarm.name === REFRESH_ALARM) await badgeIndex.refresh().catch(warn);
  if (alarm.name === OUTBOX_ALARM) await outbox.drain().catch(warn);
});


/** The last badge answered for each tab, kept in storage.session (the service worker
 *  may restart between a page's answer and a log; content scripts cannot read it). */
async function rememberAnswer(tabId, url, answer) {
  const target = answer.badge?.state === 'in_crm' ? answer.badge.crm_id ?? null : null;
  await chrome.storage.session.set({ [`answer:${tabId}`]: { url, target } });
}

async function answeredTarget(tabId, url) {
  const key = `answer:${tabId}`;
  const remembered = (await chrome.storage.session.get(key))[key];
  return remembered && remembered.url === url ? remembered.target : null;
}
chrome.tabs.onRemoved.addListener((tabId) => chrome.storage.session.remove(`answer:${tabId}`));

async function status() {
  const { relayUrl, index, shareProfiles } = await chrome.storage.local.get(['relayUrl', 'index', 'shareProfiles']);
  const s = await session.current();
  return {
    relay_url: relayUrl ?? '',
    session: s && { username: s.username, user_id: s.user_id, org_id: s.org_id, instance_url: s.instance_url },
    index: index ?? null,
    share_profiles: Boolean(shareProfiles),
    waiting_activities: s ? await outbox.waiting().catch(() => 0) : 0,
    not_logged: s ? await outbox.refused().catch(() => []) : [],
    unsent_activities: await outbox.unsent().catch(() => 0),
  };
}

const handlers = {
  async pageAnswer({ url, material, results }, sender) {
    await ready;
    const s = await session.current();
    if (s) await badgeIndex.ensureLoaded().catch((e) => console.warn('crmsync:', e.message));
    const origins = s ? await session.orgOrigins().catch(() => []) : [];
    const question = {
      url: String(url ?? ''), material, results: results ?? [], instance_url: s?.instance_url ?? '', org_origins: origins,
    };
    const answer = pageAnswer(question);
    if (s && answer.badge?.state === 'in_crm') answer.badge.saved = await savedLists.isSaved(answer.badge.crm_id);
    if (sender?.tab?.id !== undefined) await rememberAnswer(sender.tab.id, question.url, answer);
    if (s) {
      directory.share(answer).catch((e) => console.warn('crmsync:', e.message));
      outbox.drain().catch(() => {}); // the relay may be back: send what waits
    }
    return answer;
  },
  status,
  async signIn({ relayUrl }) {
    await ready;
    await session.signIn(relayUrl);
    await badgeIndex.refresh().catch((e) => console.warn('crmsync:', e.message));
    return status();
  },
  // With activities not yet logged, sign-out asks first: `unsent` is 'keep' (they stay
  // here for this rep's next sign-in) or 'discard'.
  async signOut({ unsent }) {
    await ready;
    await outbox.drain().catch(() => {});
    const left = await outbox.unsent();
    if (left > 0 && !['keep', 'discard'].includes(unsent)) {
      const error = new Error(`${left} logged ${left === 1 ? 'activity is' : 'activities are'} not in the CRM yet`);
      error.details = { unsent: left };
      throw error;
    }
    if (unsent === 'discard') await outbox.purge();
    await session.signOut();
    await badgeIndex.purge();
    return status();
  },
  // The target is the record of the badge the core last answered for that tab's page,
  // never what the page's DOM says.
  async logActivity({ capture }, sender) {
    await ready;
    const target = sender?.tab?.id !== undefined ? await answeredTarget(sender.tab.id, sender.url) : null;
    return outbox.log({ ...capture, target });
  },
  async retryLogged({ id }) {
    await ready;
    return outbox.retry(id);
  },
  async discardLogged({ id }) {
    await outbox.discard(id);
    return status();
  },
  // The rep's write-back settings (for the composer toggles), fresh from the relay.
  async writebackPrefs() {
    return session.relayJson('/api/v1/me/writeback');
  },
  async setOptIn({ kind, on }) {
    const prefs = await session.relayJson('/api/v1/me/writeback', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kinds: { [kind]: Boolean(on) } }),
    });
    broadcast(); // every tab's log controls offer what the rep now logs
    return prefs;
  },
  // The rep's activities at the relay (the popup's queue view), and a retry of a failed one.
  async queue() {
    return session.relayJson('/api/v1/activities');
  },
  async retryActivity({ id }) {
    return session.relayJson(`/api/v1/activities/${encodeURIComponent(String(id ?? ''))}/retry`, { method: 'POST' });
  },
  async setSharing({ on }) {
    await chrome.storage.local.set({ shareProfiles: Boolean(on) });
    return status();
  },
  async uploadConnections({ text }) {
    return directory.uploadConnections(text);
  },
  async refreshIndex() {
    await ready;
    await badgeIndex.refresh();
    return status();
  },
  // The widget's calls (its iframe is an extension page): the token stays here.
  async relayApi({ method, path, body }) {
    if (!['GET', 'POST', 'PUT'].includes(method) || !String(path).startsWith('/api/v1/')) {
      throw new Error(`the widget may not call ${method} ${path}`);
    }
    const init = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    return session.relayJson(path, init);
  },
  // A network page lacked what the content script reads: tell the relay (signed in only).
  async pageProblem({ page, missing }) {
    if (!(await session.current())) return null;
    await session.relayFetch('/api/v1/health/pages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ page, missing }),
    });
    return null;
  },
  // Saved lists: the popup's view and changes; "Save" beside a page's badge saves the
  // record the core last answered for that tab, never one the page names.
  async lists() {
    return savedLists.lists();
  },
  async alerts() {
    return savedLists.alerts();
  },
  async readAlert({ id }) {
    return savedLists.readAlert(id);
  },
  async removeEntry({ list, key }) {
    const answer = await savedLists.remove(list, key);
    broadcast();
    return answer;
  },
  // Tracked document links (the popup's Share view), and the record of the active tab's
  // badge to prefill it with.
  async documents() {
    return savedLists.documents();
  },
  async shareDocument(message) {
    return savedLists.shareDocument(message);
  },
  async revokeDocument({ id }) {
    return savedLists.revokeDocument(id);
  },
  async activeRecord() {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true }).catch(() => []);
    return tab?.id !== undefined ? answeredTarget(tab.id, tab.url) : null;
  },
  async saveAnswered(_message, sender) {
    const target = sender?.tab?.id !== undefined ? await answeredTarget(sender.tab.id, sender.url) : null;
    if (!target) throw new Error('this page shows no CRM record to save');
    return savedLists.save(target);
  },
  async contactInfo({ crmId }) {
    return session.relayJson(`/api/v1/crm/${encodeURIComponent(String(crmId ?? ''))}/contact`);
  },
};

/** What content scripts may ask: about their page, and logging from it. Signing in or
 *  out, arbitrary relay paths and settings are for the extension's own pages only (the
 *  popup and the widget iframe). */
const FROM_WEB_PAGES = new Set([
  'pageAnswer', 'logActivity', 'writebackPrefs', 'setOptIn', 'pageProblem', 'contactInfo', 'saveAnswered',
]);
const PREFIX = 'crmsync:';

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const type = typeof message?.type === 'string' && message.type.startsWith(PREFIX) ? message.type.slice(PREFIX.length) : '';
  if (!Object.hasOwn(handlers, type) || sender.id !== chrome.runtime.id) return false;
  // The widget iframe's URL carries the dynamic id (use_dynamic_url), so the scheme decides.
  const fromExtensionPage = /^(chrome|moz)-extension:\/\//.test(String(sender.url ?? ''));
  if (!fromExtensionPage && !FROM_WEB_PAGES.has(type)) {
    sendResponse({ ok: false, error: { message: `${type} may only be asked from the crmsync popup` } });
    return false;
  }
  handlers[type](message, sender).then(
    (result) => sendResponse({ ok: true, result }),
    (error) => sendResponse({ ok: false, error: { message: error?.message ?? String(error), details: error?.details } }),
  );
  return true;
});
