// Network pages: one-click logging to the CRM. A "Log to CRM" toggle next to each
// message composer's send button (remembered per user and kind at the relay), and a
// "Log activity" button by the badge for calls, notes and document views. The service
// worker checks the activity in wasm, queues it and sends it; the badge names the target.
(() => {
  const COMPOSERS = 'form.msg-form';
  const BY_BADGE = ['call', 'note', 'document_view', 'message', 'inmail'];
  let prefs = null;

  async function loadPrefs() {
    const reply = await chrome.runtime.sendMessage({ type: 'writebackPrefs' }).catch(() => null);
    prefs = reply?.ok ? reply.result : null;
    document.querySelectorAll('.crmsync-log-toggle input').forEach(sync);
  }

  const badge = () => document.getElementById('crmsync-badge');
  const target = () => badge()?.dataset.crmId || null;

  async function log(capture, status) {
    const reply = await chrome.runtime.sendMessage({ type: 'logActivity', capture }).catch((e) => ({ error: e }));
    const queued = 'Saved here; it goes to the CRM when crmsync is reachable';
    status.textContent = reply?.ok ? (reply.result.waiting ? queued : 'Logged to CRM')
      : `Not logged: ${reply?.error?.message ?? 'no answer'}`;
    status.dataset.state = reply?.ok ? 'logged' : 'error';
  }

  function sync(box) {
    const enabled = Boolean(prefs?.enabled);
    box.disabled = !enabled;
    box.checked = enabled && Boolean(prefs.kinds?.[box.dataset.kind]);
    box.parentElement.title = prefs ? (enabled ? '' : 'An admin has not enabled activity write-back for you')
      : 'Sign in to crmsync to log to the CRM';
  }

  function decorate(form) {
    const send = form.querySelector('.msg-form__send-button, button[type=submit]');
    if (!send || form.querySelector('.crmsync-log-toggle')) return;
    // A subject line means an InMail; a plain composer writes a message.
    const kind = form.querySelector('.msg-form__subject') ? 'inmail' : 'message';
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
    send.before(label, status);
    sync(box);
    box.addEventListener('change', async () => {
      const reply = await chrome.runtime.sendMessage({ type: 'setOptIn', kind, on: box.checked }).catch(() => null);
      if (reply?.ok) prefs = reply.result;
      document.querySelectorAll('.crmsync-log-toggle input').forEach(sync);
    });
    // Capture phase: read the text before the page's own handler sends and clears it.
    send.addEventListener('click', () => {
      if (!box.checked) return;
      const editor = form.querySelector('[contenteditable=true], textarea');
      const text = (editor?.value ?? editor?.innerText ?? '').trim();
      const subject = form.querySelector('.msg-form__subject')?.value ?? '';
      if (!text && !subject.trim()) return;
      log({ kind, subject, text, profile_url: location.href, target: target() }, status);
    }, true);
  }

  function logButton() {
    const anchor = document.getElementById('crmsync-badge-contact') ?? badge();
    const existing = document.getElementById('crmsync-log');
    if (!badge() || badge().dataset.state === 'no_index') {
      existing?.remove();
      return;
    }
    if (existing) {
      if (existing.previousElementSibling !== anchor) anchor.after(existing);
      return;
    }
    const box = document.createElement('details');
    box.id = 'crmsync-log';
    box.style.cssText = 'display:inline-block;margin-left:6px;font:12px system-ui,sans-serif;vertical-align:middle';
    const summary = document.createElement('summary');
    summary.textContent = 'Log activity';
    summary.style.cursor = 'pointer';
    const kind = document.createElement('select');
    for (const k of BY_BADGE) kind.append(new Option(k.replace('_', ' '), k));
    const text = document.createElement('textarea');
    text.rows = 2;
    text.placeholder = 'What happened? (first line is the subject)';
    const save = document.createElement('button');
    save.type = 'button';
    save.textContent = 'Log';
    const status = document.createElement('span');
    status.className = 'crmsync-log-status';
    save.onclick = async () => {
      await log({ kind: kind.value, text: text.value, profile_url: location.href, target: target() }, status);
      if (status.dataset.state === 'logged') text.value = '';
    };
    box.append(summary, kind, text, save, status);
    anchor.after(box);
  }

  loadPrefs();
  setInterval(() => {
    document.querySelectorAll(COMPOSERS).forEach(decorate);
    logButton();
  }, 400);
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && changes.session) loadPrefs();
  });
})();
