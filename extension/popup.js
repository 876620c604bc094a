// The toolbar popup: relay address, sign-in and sign-out, and the CRM index's state.
// Everything happens in the service worker; this page only shows its answers.
const $ = (id) => document.getElementById(id);

async function ask(type, extra = {}) {
  const reply = await chrome.runtime.sendMessage({ type: `crmsync:${type}`, ...extra });
  if (!reply?.ok) throw Object.assign(new Error(reply?.error?.message ?? 'the extension did not answer'), { details: reply?.error?.details });
  return reply.result;
}

function indexLine(index) {
  if (!index) return 'No CRM index yet.';
  const when = index.checked_at_ms ? new Date(index.checked_at_ms).toLocaleString() : 'never';
  const held = index.version === undefined ? 'No CRM index yet'
    : `CRM index version ${index.version}: ${index.people} people, ${index.companies} companies`;
  return `${held}; checked ${when}${index.error ? ` (last check failed: ${index.error})` : ''}.`;
}

/** The rep's queue: totals per state, what waits in this browser, failures with a retry. */
async function showQueue(waiting) {
  const list = await ask('queue').catch((e) => ({ error: e.message }));
  const totals = document.querySelector('[data-testid=queue-totals]');
  const failed = document.querySelector('[data-testid=queue-failed]');
  if (list.error) {
    totals.textContent = list.error;
    return;
  }
  const count = (state) => list.filter((a) => a.state === state).length;
  totals.textContent = `${count('pending')} pending, ${count('written')} written, ${count('failed')} failed, `
    + `${count('unassigned')} unassigned (assign them from the widget on the record)`
    + (waiting ? `; ${waiting} waiting in this browser for the relay` : '') + '.';
  failed.replaceChildren(...list.filter((a) => a.state === 'failed').map((a) => {
    const li = document.createElement('li');
    li.dataset.id = a.id;
    li.append(`${a.subject}: ${a.error ?? 'failed'} `);
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.textContent = 'Retry';
    retry.className = 'slds-button slds-button_neutral';
    retry.onclick = () => ask('retryActivity', { id: a.id }).then(() => showQueue(waiting), (e) => {
      $('error').textContent = e.message;
    });
    li.append(retry);
    return li;
  }));
}

/** Activities this browser keeps because the relay refused them: the reason, and a
 *  retry (after fixing what it names) or a discard. */
function showNotLogged(items) {
  document.querySelector('[data-testid=not-logged-heading]').hidden = items.length === 0;
  document.querySelector('[data-testid=not-logged]').replaceChildren(...items.map((a) => {
    const li = document.createElement('li');
    li.dataset.id = a.id;
    const when = new Date(a.occurred_at).toLocaleString();
    li.append(`${a.kind.replace('_', ' ')} "${a.subject}" (${when}): ${a.reason} `);
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.dataset.action = 'retry';
    retry.textContent = 'Retry';
    retry.className = 'slds-button slds-button_neutral';
    retry.onclick = () => ask('retryLogged', { id: a.id }).then(() => run('status'), (e) => {
      $('error').textContent = e.message;
    });
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.dataset.action = 'discard';
    discard.textContent = 'Discard';
    discard.className = 'slds-button slds-button_destructive';
    discard.onclick = () => run('discardLogged', { id: a.id });
    li.append(retry, ' ', discard);
    return li;
  }));
}

/** The rep's per-kind opt-ins, within what the admin enabled. */
let kindsAsked = 0;
async function showKinds() {
  const asked = ++kindsAsked;
  const prefs = await ask('writebackPrefs').catch(() => null);
  if (asked !== kindsAsked) return; // the rep changed a box meanwhile: a newer answer follows
  const boxes = document.querySelectorAll('[data-testid=kinds] input');
  // Kinds the org does not write back at all are not offered (older relays send no list).
  const orgKinds = prefs?.org_kinds ?? null;
  for (const box of boxes) {
    const allowed = !orgKinds || orgKinds.includes(box.dataset.kind);
    box.disabled = !prefs?.enabled || !allowed;
    box.checked = Boolean(prefs?.enabled && allowed && prefs.kinds?.[box.dataset.kind]);
    box.closest('label')?.toggleAttribute('hidden', !allowed);
  }
  document.querySelector('[data-testid=kinds-note]').textContent = !prefs ? 'The relay did not answer.'
    : prefs.enabled ? '' : 'An admin has not enabled activity write-back for you.';
}
for (const box of document.querySelectorAll('[data-testid=kinds] input')) {
  box.addEventListener('change', () => (kindsAsked++, ask('setOptIn', { kind: box.dataset.kind, on: box.checked }))
    .then(showKinds, (e) => { $('error').textContent = e.message; }));
}

function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.target = '_blank';
  a.rel = 'noopener';
  a.textContent = text;
  return a;
}

function button(text, onclick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'slds-button slds-button_neutral';
  b.textContent = text;
  b.onclick = onclick;
  return b;
}

/** Alerts on saved people (unread first, as the relay orders them), each with both links. */
async function showAlerts() {
  const box = document.querySelector('[data-testid=alerts]');
  const answer = await ask('alerts').catch(() => null);
  const unread = (answer?.alerts ?? []).filter((a) => !a.read);
  box.replaceChildren(...unread.map((a) => {
    const p = document.createElement('p');
    p.className = 'crmsync-alert';
    p.dataset.id = a.id;
    p.append(`${a.message} `);
    if (a.crm_url) p.append(link(a.crm_url, 'CRM record'), ' ');
    if (a.network_url) p.append(link(a.network_url, 'profile'), ' ');
    p.append(button('Mark as read', () => ask('readAlert', { id: a.id }).then(showAlerts, (e) => {
      $('error').textContent = e.message;
    })));
    return p;
  }));
}

/** The rep's lists: each entry links to its Salesforce record and to its profile (or a
 *  "find on the network" search while not yet matched), with a remove button. */
async function showLists() {
  const box = document.querySelector('[data-testid=lists]');
  const answer = await ask('lists').catch((e) => ({ error: e.message }));
  if (answer.error) {
    box.textContent = answer.error;
    return;
  }
  const open = new Set([...box.querySelectorAll('details[open]')].map((d) => d.dataset.list));
  box.replaceChildren(...answer.lists.map((list) => {
    const details = document.createElement('details');
    details.dataset.list = list.id;
    details.open = open.has(list.id);
    const summary = document.createElement('summary');
    summary.textContent = `${list.name} (${list.entries.length})`;
    const ul = document.createElement('ul');
    ul.replaceChildren(...list.entries.map((e) => {
      const li = document.createElement('li');
      li.dataset.crmId = e.crm_id ?? '';
      li.append(e.crm_url ? link(e.crm_url, e.name || e.crm_id) : e.name, ' ');
      li.append(link(e.network_url, e.network_id ? 'profile' : 'find on the network'), ' ');
      if (!e.network_id) li.append('(not yet matched) ');
      const why = document.createElement('small');
      why.textContent = e.reason;
      li.append(why, ' ');
      li.append(button('Remove', () => ask('removeEntry', { list: list.id, key: e.crm_id ?? e.network_id })
        .then(showLists, (err) => { $('error').textContent = err.message; })));
      return li;
    }));
    details.append(summary, ul);
    return details;
  }));
}

/** The rep's tracked links: views (times only), whether it still opens, and a revoke. */
async function showDocuments() {
  const answer = await ask('documents').catch(() => ({ documents: [] }));
  document.querySelector('[data-testid=documents]').replaceChildren(...answer.documents.map((d) => {
    const li = document.createElement('li');
    li.dataset.id = d.id;
    const last = d.viewed_at.length ? `, last ${new Date(d.viewed_at[d.viewed_at.length - 1]).toLocaleString()}` : '';
    li.append(`${d.title}: ${d.views} ${d.views === 1 ? 'view' : 'views'}${last}${d.live ? '' : (d.revoked ? ' (revoked)' : ' (expired)')} `);
    if (d.live) {
      li.append(link(d.link, 'link'), ' ');
      li.append(button('Revoke', () => ask('revokeDocument', { id: d.id }).then(showDocuments, (e) => {
        $('error').textContent = e.message;
      })));
    }
    return li;
  }));
}

function base64(buffer) {
  let text = '';
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

$('share-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('error').textContent = '';
  const file = $('share-file').files[0];
  try {
    const shared = await ask('shareDocument', {
      title: $('share-title').value, record: $('share-record').value.trim(), url: $('share-url').value.trim(),
      pdfBase64: file ? base64(await file.arrayBuffer()) : undefined, expiresInDays: $('share-days').value,
    });
    document.querySelector('[data-testid=share-link]').replaceChildren('Paste this link into your message: ',
      link(shared.link, shared.link));
    showDocuments();
  } catch (error) {
    $('error').textContent = error.message;
  }
});

function show(status) {
  $('sign-in-form').hidden = Boolean(status.session);
  $('signed-in').hidden = !status.session;
  if (!$('relay-url').value) $('relay-url').value = status.relay_url;
  if (status.session) {
    $('share').checked = status.share_profiles;
    document.querySelector('[data-testid=username]').textContent = status.session.username;
    document.querySelector('[data-testid=index-status]').textContent = indexLine(status.index);
    showQueue(status.waiting_activities);
    showNotLogged(status.not_logged ?? []);
    showKinds();
    showLists();
    showAlerts();
    showDocuments();
    if (!$('share-record').value) ask('activeRecord').then((id) => { if (id) $('share-record').value = id; }, () => {});
  }
}

async function run(type, extra) {
  $('error').textContent = '';
  for (const b of document.querySelectorAll('button')) b.disabled = true;
  try {
    show(await ask(type, extra));
  } catch (error) {
    $('error').textContent = error.message;
  } finally {
    for (const b of document.querySelectorAll('button')) b.disabled = false;
  }
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run('signIn', { relayUrl: $('relay-url').value });
});
$('refresh').addEventListener('click', () => run('refreshIndex'));
$('share').addEventListener('change', () => run('setSharing', { on: $('share').checked }));
$('connections').addEventListener('change', async () => {
  const file = $('connections').files[0];
  if (!file) return;
  const report = document.querySelector('[data-testid=upload-report]');
  report.textContent = 'Uploading…';
  try {
    const r = await ask('uploadConnections', { text: await file.text() });
    report.textContent = `${r.new} new, ${r.changed} updated, ${r.unchanged} unchanged, ${r.skipped} skipped.`;
  } catch (error) {
    report.textContent = '';
    $('error').textContent = error.message;
  }
});
// Sign-out with activities not yet in the CRM asks first and keeps them unless discarded.
async function signOut(unsent) {
  $('sign-out-confirm').hidden = true;
  $('error').textContent = '';
  try {
    show(await ask('signOut', unsent ? { unsent } : {}));
  } catch (error) {
    if (error.details?.unsent) {
      $('sign-out-question').textContent = `${error.message}. Keep them in this browser (they are sent after you sign in again) or discard them?`;
      $('sign-out-confirm').hidden = false;
    } else {
      $('error').textContent = error.message;
    }
  }
}
$('sign-out').addEventListener('click', () => signOut());
$('sign-out-keep').addEventListener('click', () => signOut('keep'));
$('sign-out-discard').addEventListener('click', () => signOut('discard'));
$('sign-out-cancel').addEventListener('click', () => { $('sign-out-confirm').hidden = true; });
chrome.storage.onChanged.addListener(() => run('status'));
chrome.runtime.onMessage.addListener((message) => {
  if (message?.type === 'crmsync:changed') run('status');
});
run('status');
