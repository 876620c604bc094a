// Network pages: one-click logging to the CRM. A "Log to CRM" toggle next to each
// message composer's send button (remembered per user and kind at the relay), and a
// "Log activity" button by the badge offering the kinds this rep may log. The service
// worker checks the activity in wasm, keeps it until the relay stored it, and takes its
// target from the core's last answer for this tab (never from the page's DOM). "Logged"
// is said only once the relay has it; a refusal stays visible with the relay's reason.
(() => {
  const COMPOSERS = 'form.msg-form';
  const BY_BADGE = ['call', 'note', 'document_view', 'message', 'inmail'];
  let prefs = null;

  // Unreachable relay: the last answer stands, so logging still works offline.
  async function loadPrefs() {
    const reply = await chrome.runtime.sendMessage({ type: 'crmsync:writebackPrefs' }).catch(() => null);
    if (reply?.ok) prefs = reply.result;
    else if (/not signed in/.test(reply?.error?.message ?? '')) prefs = null;
    toggles().forEach(sync);
    page().getElementById('crmsync-log')?.sync?.();
  }

  const page = () => crmsyncHost('page').root;
  const badge = () => page().getElementById('crmsync-badge');
  const composers = new WeakMap(); // form → { host, root } of its toggle
  const allowed = (kind) => Boolean(prefs?.enabled && prefs.kinds?.[kind]);

  async function log(capture, status) {
    const reply = await chrome.runtime.sendMessage({ type: 'crmsync:logActivity', capture }).catch((e) => ({ error: e }));
    const state = reply?.ok ? reply.result.state : 'error';
    status.textContent = {
      logged: 'Logged to CRM',
      waiting: 'Saved here; it goes to the CRM when crmsync is reachable',
      refused: `Not logged: ${reply?.result?.reason} (kept in the crmsync popup to retry or discard)`,
    }[state] ?? `Not logged: ${reply?.error?.message ?? 'no answer'}`;
    status.dataset.state = state === 'refused' ? 'error' : state;
  }

  function sync(box) {
    const enabled = Boolean(prefs?.enabled);
    box.disabled = !enabled;
    box.checked = allowed(box.dataset.kind);
    box.parentElement.title = prefs ? (enabled ? '' : 'An admin has not enabled activity write-back for you')
      : 'Sign in to crmsync to log to the CRM';
  }

  const toggles = () => [...document.querySelectorAll(COMPOSERS)].map((f) => composers.get(f)?.root.querySelector('input')).filter(Boolean);

  function decorate(form) {
    const send = form.querySelector('.msg-form__send-button, button[type=submit]');
    if (!send) return;
    const decorated = composers.get(form);
    if (decorated) {
      // The site re-rendered the form's insides: put the toggle back by the send button.
      if (!decorated.host.isConnected || decorated.host.nextElementSibling !== send) send.before(decorated.host);
      return;
    }
    // A subject line means an InMail; a plain composer writes a message.
    const kind = form.querySelector('.msg-form__subject') ? 'inmail' : 'message';
    const host = document.createElement('span');
    const root = crmsyncShadow(host);
    composers.set(form, { host, root });
    const label = document.createElement('label');
    label.className = 'crmsync-log-toggle';
    label.style.cssText = 'margin-right:8px;font:12px system-ui,sans-serif';
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.dataset.kind = kind;
    label.append(box, ' Log to CRM');
    const status = document.createElement('span');
    status.className = 'crmsync-log-status';
    status.style.cssText = 'margin-right:8px;font:12px system-ui,sans-serif';
    root.append(label, status);
    send.before(host);
    sync(box);
    box.addEventListener('change', async (event) => {
      if (!event.isTrusted) {
        sync(box);
        return;
      }
      const reply = await chrome.runtime.sendMessage({ type: 'crmsync:setOptIn', kind, on: box.checked }).catch(() => null);
      if (reply?.ok) prefs = reply.result;
      toggles().forEach(sync);
    });
    // Capture phase: read the text before the page's own handler sends and clears it.
    send.addEventListener('click', (event) => {
      if (!event.isTrusted || !box.checked) return;
      const editor = form.querySelector('[contenteditable=true], textarea');
      const text = (editor?.value ?? editor?.innerText ?? '').trim();
      const subject = form.querySelector('.msg-form__subject')?.value ?? '';
      if (!text && !subject.trim()) return;
      log({ kind, subject, text, profile_url: location.href }, status);
    }, true);
  }

  /** The kinds this rep may log now, as the "Log activity" control offers them. */
  function syncKinds(select, save, note) {
    const kinds = BY_BADGE.filter(allowed);
    const have = [...select.options].map((o) => o.value).join();
    if (have !== kinds.join()) select.replaceChildren(...kinds.map((k) => new Option(k.replace('_', ' '), k)));
    const none = kinds.length === 0;
    select.hidden = none;
    save.disabled = none;
    note.textContent = !prefs ? 'Sign in to crmsync to log to the CRM'
      : none ? (prefs.enabled ? 'Turn on a kind in the crmsync popup to log it' : 'An admin has not enabled activity write-back for you') : '';
  }

  function logButton() {
    const anchor = page().getElementById('crmsync-badge-contact') ?? badge();
    const existing = page().getElementById('crmsync-log');
    if (!badge() || badge().dataset.state === 'no_index') {
      existing?.remove();
      return;
    }
    if (existing) {
      if (existing.previousElementSibling !== anchor) anchor.after(existing);
      existing.sync();
      return;
    }
    const box = document.createElement('details');
    box.id = 'crmsync-log';
    box.style.cssText = 'display:inline-block;margin-left:6px;font:12px system-ui,sans-serif;vertical-align:middle';
    const summary = document.createElement('summary');
    summary.textContent = 'Log activity';
    summary.style.cursor = 'pointer';
    const kind = document.createElement('select');
    const text = document.createElement('textarea');
    text.rows = 2;
    text.placeholder = 'What happened? (first line is the subject)';
    const save = document.createElement('button');
    save.type = 'button';
    save.textContent = 'Log';
    const note = document.createElement('span');
    note.className = 'crmsync-log-note';
    const status = document.createElement('span');
    status.className = 'crmsync-log-status';
    crmsyncOnTrusted(save, 'click', async () => {
      await log({ kind: kind.value, text: text.value, profile_url: location.href }, status);
      if (status.dataset.state === 'logged' || status.dataset.state === 'waiting') text.value = '';
    });
    box.sync = () => syncKinds(kind, save, note);
    box.append(summary, kind, text, save, note, status);
    anchor.after(box);
    box.sync();
  }

  const decorateAll = () => {
    document.querySelectorAll(COMPOSERS).forEach(decorate);
    logButton();
  };
  loadPrefs().then(decorateAll);
  crmsyncOnPageChange(decorateAll);
  crmsyncOnDrawn(logButton);
  chrome.runtime.onMessage.addListener((message) => {
    if (message?.type === 'crmsync:changed') loadPrefs().then(decorateAll);
  });
})();
