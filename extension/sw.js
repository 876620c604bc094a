// Service worker: hosts the wasm core and routes content-script and popup messages to
// it. Every decision about pages and badges is made in Rust; this file only dispatches.
import init, { pageAnswer } from './pkg/crmsync.js';
import * as session from './background/session.js';
import * as badgeIndex from './background/badge-index.js';
import * as directory from './background/directory.js';
import * as outbox from './background/outbox.js';

const ready = init({ module_or_path: new URL('./pkg/crmsync_bg.wasm', import.meta.url) });
const REFRESH_ALARM = 'crmsync-index-refresh';
const REFRESH_MINUTES = 30;
const OUTBOX_ALARM = 'crmsync-outbox-retry';

session.sessionEvents.addEventListener('ended', () => badgeIndex.purge());

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


async function status() {
  const { relayUrl, index, shareProfiles } = await chrome.storage.local.get(['relayUrl', 'index', 'shareProfiles']);
  const s = await session.current();
  return {
    relay_url: relayUrl ?? '',
    session: s && { username: s.username, user_id: s.user_id, org_id: s.org_id, instance_url: s.instance_url },
    index: index ?? null,
    share_profiles: Boolean(shareProfiles),
    waiting_activities: s ? await outbox.waiting().catch(() => 0) : 0,
  };
}

const handlers = {
  async pageAnswer({ url, seen, results }) {
    await ready;
    const s = await session.current();
    if (s) await badgeIndex.ensureLoaded().catch((e) => console.warn('crmsync:', e.message));
    const question = { url: String(url ?? ''), seen, results: results ?? [], instance_url: s?.instance_url ?? '' };
    const answer = pageAnswer(question);
    if (s) {
      directory.share(question, answer).catch((e) => console.warn('crmsync:', e.message));
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
  async signOut() {
    await ready;
    await outbox.purge();
    await session.signOut();
    await badgeIndex.purge();
    return status();
  },
  async logActivity({ capture }) {
    await ready;
    const activity = await outbox.log(capture);
    return { id: activity.id, waiting: await outbox.waiting() };
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
  async contactInfo({ crmId }) {
    return session.relayJson(`/api/v1/crm/${encodeURIComponent(String(crmId ?? ''))}/contact`);
  },
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = handlers[message?.type];
  if (!handler || sender.id !== chrome.runtime.id) return false;
  handler(message, sender).then(
    (result) => sendResponse({ ok: true, result }),
    (error) => sendResponse({ ok: false, error: { message: error?.message ?? String(error), details: error?.details } }),
  );
  return true;
});
