// The org's profile directory, fed from this browser only when the rep turned "share
// the profiles I view" on in the popup: each person or company page (and each search
// result) the core recognised is sent once per service-worker life; uploads of the
// network's Connections.csv go the same way.
import { relayFetch, relayJson } from './session.js';

const sent = new Set();

/** Sends who the core read a page and its results to be, if the rep consented. */
export async function share(answer) {
  const { shareProfiles } = await chrome.storage.local.get('shareProfiles');
  if (!shareProfiles) return;
  const seen = answer.page?.kind === 'network' && answer.read?.name ? [answer.read] : [];
  const results = (answer.read_results ?? []).filter((r, i) => r?.name && answer.results?.[i]);
  const fresh = [...seen, ...results].filter((o) => {
    const key = JSON.stringify(o);
    if (sent.has(key)) return false;
    sent.add(key);
    return true;
  });
  if (fresh.length === 0) return;
  const response = await relayFetch('/api/v1/directory/profiles', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profiles: fresh }),
  });
  if (!response.ok) for (const o of fresh) sent.delete(JSON.stringify(o));
}

/** Uploads the text of a Connections.csv export; resolves with the relay's report. */
export function uploadConnections(text) {
  return relayJson('/api/v1/directory/connections', {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: String(text ?? ''),
  });
}
