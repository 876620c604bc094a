// The rep's saved lists and shared documents at the relay: which CRM records are saved (for the badges'
// "Saved" mark, asked again at most every few minutes and after every change here), and
// saving or removing an entry. The relay decides everything; this keeps a set of ids.
import * as session from './session.js';

const FRESH_MS = 5 * 60 * 1000;
let saved = { ids: new Set(), at: 0 };

/** The rep's lists with their entries (the popup's Lists view). */
export async function lists() {
  const answer = await session.relayJson('/api/v1/lists');
  remember(answer);
  return answer;
}

function remember(answer) {
  const ids = new Set();
  for (const list of answer.lists ?? []) for (const e of list.entries ?? []) if (e.crm_id) ids.add(e.crm_id);
  saved = { ids, at: Date.now() };
}

/** Whether `crmId` is in one of the rep's lists (false when the relay cannot be asked). */
export async function isSaved(crmId) {
  if (!crmId) return false;
  if (Date.now() - saved.at > FRESH_MS) await lists().catch(() => { saved.at = Date.now(); });
  return saved.ids.has(crmId);
}

/** Saves a record by hand to its automatic list (accounts for an Account, else people). */
export async function save(crmId) {
  const list = String(crmId).startsWith('001') ? 'accounts' : 'people';
  const answer = await session.relayJson(`/api/v1/lists/${list}/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ crm_id: crmId }),
  });
  saved.ids.add(crmId);
  return answer;
}

/** Removes an entry by hand. */
export async function remove(list, key) {
  const path = `/api/v1/lists/${encodeURIComponent(String(list))}/entries/${encodeURIComponent(String(key))}`;
  const answer = await session.relayJson(path, { method: 'DELETE' });
  saved.at = 0;
  return answer;
}

/** The rep's alerts on saved people, and marking one read. */
export async function alerts() {
  return session.relayJson('/api/v1/alerts');
}
export async function readAlert(id) {
  return session.relayJson(`/api/v1/alerts/${encodeURIComponent(String(id))}/read`, { method: 'POST' });
}

/** The rep's tracked document links with their views. */
export async function documents() {
  return session.relayJson('/api/v1/documents');
}

/** Shares a PDF (base64 from the popup) or a web address for a lead or contact. */
export async function shareDocument({ title, record, url, pdfBase64, expiresInDays }) {
  const days = Number(expiresInDays) > 0 ? Number(expiresInDays) : undefined;
  if (pdfBase64) {
    const bytes = Uint8Array.from(atob(pdfBase64), (c) => c.charCodeAt(0));
    const query = new URLSearchParams({ title: String(title ?? ''), record: String(record ?? '') });
    if (days) query.set('expires_in_days', String(days));
    return session.relayJson(`/api/v1/documents/pdf?${query}`, {
      method: 'POST', headers: { 'content-type': 'application/pdf' }, body: bytes,
    });
  }
  return session.relayJson('/api/v1/documents', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title, record, url, ...(days ? { expires_in_days: days } : {}) }),
  });
}

export async function revokeDocument(id) {
  return session.relayJson(`/api/v1/documents/${encodeURIComponent(String(id))}/revoke`, { method: 'POST' });
}
