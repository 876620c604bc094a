// Network pages: send what read-page.js collected, let the wasm core decide who the page
// is about, and draw its badge — with the CRM contact details on demand — or, on search
// and list pages, a badge per result and the in-CRM filter. Everything is drawn inside
// closed shadow roots (ui.js); the hosts are marked `data-crmsync` (the page watcher and
// the collector ignore them) and controls act only on trusted (user) events.
(() => {
  const BADGE_ID = 'crmsync-badge';
  const CONTACT_ID = 'crmsync-contact';
  const FILTER_ID = 'crmsync-filter';
  const RESULT_CLASS = 'crmsync-result-badge';
  const COLORS = {
    in_crm: 'background:#e6f4ea;color:#0d652d;border:1px solid #a8dab5',
    not_in_crm: 'background:#f1f3f4;color:#3c4043;border:1px solid #dadce0',
    no_index: 'background:#eef4ff;color:#0b3d91;border:1px solid #b7cdf5',
  };
  // In the CRM, but the profile shows another employer than the record.
  const OUT_OF_DATE = 'background:#fff4e5;color:#8c4b00;border:1px solid #fe9339';
  const BADGE_STYLE = 'display:inline-block;margin:4px 0 4px 8px;padding:2px 8px;border-radius:10px;' +
    'font:600 12px/18px system-ui,sans-serif;text-decoration:none;vertical-align:middle;';

  let onResultsPage = false;
  function read() {
    const kind = new URL(location.href).pathname.split('/')[1];
    // Which page this is stays the core's decision; collecting results costs little.
    const results = onResultsPage || kind === 'search' || kind === 'sales' ? crmsyncResultMaterials(crmsyncResultRows()) : [];
    return { material: crmsyncPageMaterial(), results };
  }

  /** `existing` if it has the right element type for `badge` (a link or a label), else a
   *  new element made by `make` (the old one is removed). */
  function badgeElement(existing, badge, make) {
    const tag = badge.link ? 'A' : 'SPAN';
    if (existing?.tagName === tag) return existing;
    existing?.remove();
    const el = document.createElement(tag.toLowerCase());
    make(el);
    return el;
  }

  function styleBadge(el, badge) {
    el.style.cssText = BADGE_STYLE + (badge.out_of_date ? OUT_OF_DATE : (COLORS[badge.state] ?? COLORS.no_index));
    el.dataset.outOfDate = badge.out_of_date ? 'true' : 'false';
    if (el.textContent !== badge.text) el.textContent = badge.text;
    el.title = badge.title;
    el.dataset.state = badge.state;
    if (badge.link) {
      el.href = badge.link;
      el.target = '_blank';
      el.rel = 'noopener';
    }
  }

  async function showContact(root, crmId, button) {
    let box = root.getElementById(CONTACT_ID);
    if (box) {
      box.remove();
      return;
    }
    box = document.createElement('div');
    box.id = CONTACT_ID;
    box.style.cssText = 'margin:6px 0;padding:8px 10px;border:1px solid #dadce0;border-radius:8px;' +
      'font:13px/1.5 system-ui,sans-serif;background:#fff;color:#202124;max-width:420px';
    box.textContent = 'Loading CRM contact details…';
    root.append(box);
    const reply = await chrome.runtime.sendMessage({ type: 'crmsync:contactInfo', crmId }).catch((e) => ({ error: e }));
    box.replaceChildren();
    if (!reply?.ok) {
      box.textContent = `CRM contact details unavailable: ${reply?.error?.message ?? 'no answer'}`;
      return;
    }
    const info = reply.result;
    const line = (label, value, href) => {
      if (!value) return;
      const row = document.createElement('div');
      row.dataset.field = label.toLowerCase().replace(/\s+/g, '_');
      row.append(`${label}: `);
      const v = document.createElement(href ? 'a' : 'span');
      v.textContent = value;
      if (href) v.href = href;
      row.append(v);
      box.append(row);
    };
    line('Name', info.name);
    line('Title', info.title);
    line('Company', info.company);
    line('Email', info.email, info.email && `mailto:${info.email}`);
    line('Phone', info.phone, info.phone && `tel:${info.phone}`);
    line('Mobile', info.mobile_phone, info.mobile_phone && `tel:${info.mobile_phone}`);
    line('Website', info.website);
  }

  /** The page's badge, its contact button and box (and logging.js's control), all in the
   *  'page' host's closed shadow root, placed right after the page's main heading. */
  let contactFor = null;
  function drawPageBadge(badge) {
    const { host, root } = crmsyncHost('page');
    if (!badge) {
      host.remove();
      root.replaceChildren();
      contactFor = null;
      return;
    }
    const anchor = document.querySelector('main h1, h1');
    if (anchor && host.previousElementSibling !== anchor) anchor.after(host);
    else if (!anchor && !host.isConnected) document.body.prepend(host);
    const old = root.getElementById(BADGE_ID);
    const el = badgeElement(old, badge, (e) => { e.id = BADGE_ID; });
    if (el !== old) root.prepend(el);
    styleBadge(el, badge);

    let button = root.getElementById(`${BADGE_ID}-contact`);
    const crmId = badge.state === 'in_crm' ? badge.crm_id : null;
    if (contactFor !== crmId) root.getElementById(CONTACT_ID)?.remove();
    contactFor = crmId;
    if (!crmId) {
      button?.remove();
      root.getElementById(`${BADGE_ID}-save`)?.remove();
      return;
    }
    if (!button) {
      button = document.createElement('button');
      button.id = `${BADGE_ID}-contact`;
      button.type = 'button';
      button.textContent = 'CRM contact info';
      button.style.cssText = 'margin-left:6px;font:12px system-ui,sans-serif;cursor:pointer';
      crmsyncOnTrusted(button, 'click', () => contactFor && showContact(root, contactFor, button));
    }
    if (button.previousElementSibling !== el) el.after(button);
    drawSave(root, button, badge);
  }

  /** "Saved" beside a record in one of the rep's lists, else a "Save" button (which
   *  saves the record the extension answered for this page, not one the page names). */
  function drawSave(root, after, badge) {
    let save = root.getElementById(`${BADGE_ID}-save`);
    if (!save) {
      save = document.createElement('button');
      save.id = `${BADGE_ID}-save`;
      save.type = 'button';
      save.style.cssText = 'margin-left:6px;font:12px system-ui,sans-serif;cursor:pointer';
      crmsyncOnTrusted(save, 'click', () => {
        save.disabled = true;
        chrome.runtime.sendMessage({ type: 'crmsync:saveAnswered' }).then((reply) => {
          if (reply?.ok) {
            save.textContent = 'Saved';
            save.dataset.saved = 'true';
          } else {
            save.disabled = false;
            save.title = reply?.error?.message ?? 'not saved';
          }
        });
      });
    }
    if (save.dataset.for !== badge.crm_id) save.dataset.saved = 'false';
    save.dataset.for = badge.crm_id;
    const saved = Boolean(badge.saved) || save.dataset.saved === 'true';
    save.textContent = saved ? 'Saved' : 'Save';
    save.disabled = saved;
    save.dataset.saved = String(saved);
    if (save.previousElementSibling !== after) after.after(save);
  }

  // What each result row's badge says, kept here (not in the page's DOM) for the filter.
  let rowStates = new WeakMap();
  const rowHosts = new WeakMap();

  function applyFilter() {
    const choice = sessionStorage.getItem('crmsync-filter') ?? 'all';
    for (const { el } of crmsyncResultRows()) {
      const state = rowStates.get(el);
      const shown = choice === 'all' || (choice === 'in_crm' ? state === 'in_crm' : state === 'not_in_crm');
      el.style.display = shown ? '' : 'none';
    }
    for (const b of crmsyncHost('filter').root.querySelectorAll('button')) {
      b.setAttribute('aria-pressed', String(b.dataset.filter === choice));
      b.style.fontWeight = b.dataset.filter === choice ? '700' : '400';
    }
  }

  function drawFilter(show) {
    const { host, root } = crmsyncHost('filter');
    if (!show) {
      host.remove();
      return;
    }
    if (!root.getElementById(FILTER_ID)) {
      const bar = document.createElement('div');
      bar.id = FILTER_ID;
      bar.setAttribute('role', 'group');
      bar.setAttribute('aria-label', 'crmsync filter');
      bar.style.cssText = 'margin:8px 0;font:13px system-ui,sans-serif';
      for (const [filter, label] of [['all', 'All'], ['in_crm', 'In CRM'], ['not_in_crm', 'Not in CRM']]) {
        const b = document.createElement('button');
        b.type = 'button';
        b.dataset.filter = filter;
        b.textContent = label;
        b.style.cssText = 'margin-right:6px;cursor:pointer';
        crmsyncOnTrusted(b, 'click', () => {
          sessionStorage.setItem('crmsync-filter', filter);
          applyFilter();
        });
        bar.append(b);
      }
      root.append(bar);
    }
    const list = crmsyncResultRows()[0]?.el.parentElement;
    if (list && host.nextElementSibling !== list) list.before(host);
  }

  function drawResults(badges) {
    rowStates = new WeakMap();
    crmsyncResultRows().forEach(({ el, link }, i) => {
      const badge = badges[i];
      let host = rowHosts.get(el);
      if (!badge) {
        host?.remove();
        return;
      }
      if (!host) {
        host = document.createElement('span');
        rowHosts.set(el, host);
      }
      const root = crmsyncShadow(host);
      if (host.previousElementSibling !== link) link.after(host);
      const old = root.querySelector(`.${RESULT_CLASS}`);
      const b = badgeElement(old, badge, (e) => { e.className = RESULT_CLASS; });
      if (b !== old) root.replaceChildren(b);
      styleBadge(b, badge);
      rowStates.set(el, badge.state);
    });
  }

  // Health: what this page lacks 5 s after it opened is reported once (the network
  // changed its markup); the badge falls back meanwhile.
  const reported = new Set();
  let opened = { url: null, at: 0 };
  function checkHealth(answer) {
    if (opened.url !== location.href) opened = { url: location.href, at: Date.now() };
    const early = 5000 - (Date.now() - opened.at);
    if (early > 0) {
      // Nothing may change on the page after this: look again once the 5 s are up.
      clearTimeout(checkHealth.timer);
      checkHealth.timer = setTimeout(() => checkHealth(answer), early + 50);
      return;
    }
    const problems = [];
    if (answer.page?.kind === 'network') {
      const page = answer.page.entity === 'company' ? 'company' : 'profile';
      if (!document.querySelector('main h1, h1')) problems.push({ page, missing: 'heading' });
      if (!answer.read?.name) problems.push({ page, missing: 'name' });
    } else if (onResultsPage && crmsyncResultRows().length === 0) {
      problems.push({ page: 'results', missing: 'results' });
    }
    for (const problem of problems) {
      const key = `${location.pathname} ${problem.page} ${problem.missing}`;
      if (reported.has(key)) continue;
      reported.add(key);
      chrome.runtime.sendMessage({ type: 'crmsync:pageProblem', ...problem }).catch(() => {});
    }
  }

  crmsyncWatchPage((answer) => {
    onResultsPage = answer.page?.kind === 'network_results';
    checkHealth(answer);
    drawPageBadge(answer.badge);
    drawResults(answer.results ?? []);
    drawFilter(onResultsPage);
    if (onResultsPage) applyFilter();
  }, read);
})();
