// Network pages: collects raw material for the core to judge (it decides nothing).
// `tests/it/reading/collect.rs` computes the same from saved pages, rule for
// rule: the main heading's section, visible text runs with what encloses them, the
// experience section's first entries, JSON-LD blocks, the title; result rows.
(() => {
  // crmsync's own elements ([data-crmsync]) are never material.
  const SKIP = 'script,style,svg,template,form,dialog,noscript,head,code,[role=dialog],[aria-modal=true],[hidden],[data-crmsync]';
  const RESULT_LINKS = 'a[href*="/in/"], a[href*="/sales/lead/"], a[href*="/company/"], a[href*="/sales/company/"]';
  const MAX_PIECES = 300;
  const MAX_TEXT = 300;
  const MAX_JSON_LD = 200_000;

  const skipped = (el) => el.matches(SKIP) || el.checkVisibility?.({ visibilityProperty: true }) === false;
  const visibleFrom = (el) => !el.closest(SKIP);

  /** Text runs under `root`, each with its heading, link or button, label and field. */
  function pieces(root) {
    const out = [];
    const visit = (el, ctx) => {
      for (const node of el.childNodes) {
        if (out.length >= MAX_PIECES) return;
        if (node.nodeType === Node.TEXT_NODE) {
          const text = node.textContent.replace(/\s+/g, ' ').trim().slice(0, MAX_TEXT);
          if (text) out.push({ text, ...ctx });
        } else if (node.nodeType === Node.ELEMENT_NODE && !skipped(node)) {
          const inner = { ...ctx };
          const tag = node.localName;
          if (['h1', 'h2', 'h3'].includes(tag) && !inner.heading) inner.heading = tag;
          if ((tag === 'a' || tag === 'button') && !inner.interactive) {
            inner.interactive = true;
            inner.label = node.getAttribute('aria-label') ?? '';
            inner.href = tag === 'a' && /^https?:/.test(node.href) ? node.href : '';
          }
          if (!inner.field) inner.field = node.getAttribute('data-anonymize') ?? '';
          visit(node, inner);
        }
      }
    };
    visit(root, { heading: '', interactive: false, label: '', href: '', field: '' });
    return out;
  }

  /** The page's main heading (in `main` first), or a Sales Navigator name field. */
  function heading() {
    const headings = [...document.querySelectorAll('h1')].filter((h) => visibleFrom(h) && !skipped(h));
    return headings.find((h) => h.closest('main, [role=main]')) ?? headings[0]
      ?? document.querySelector('[data-anonymize=person-name], [data-anonymize=company-name]');
  }

  function topItems(root, out = []) {
    for (const child of root.children) {
      if (skipped(child)) continue;
      if (child.localName === 'li') out.push(child);
      else topItems(child, out);
    }
    return out;
  }

  /** What the page shows about its own person or company. */
  globalThis.crmsyncPageMaterial = () => {
    const h = heading();
    const card = h && (h.closest('section') ?? h.parentElement?.parentElement?.parentElement ?? h);
    const anchor = document.querySelector('#experience, [data-section=experience]');
    const experience = anchor ? topItems(anchor.closest('section') ?? anchor).slice(0, 3).map(pieces) : [];
    const jsonLd = [...document.querySelectorAll('script[type="application/ld+json"]')]
      .map((s) => s.textContent.slice(0, MAX_JSON_LD));
    return { title: document.title, json_ld: jsonLd, top_card: card ? pieces(card) : [], experience };
  };

  /** List items of the main column that link to a person or company (innermost only). */
  globalThis.crmsyncResultRows = () => {
    const main = document.querySelector('main') ?? document.body;
    return [...main.querySelectorAll('li')]
      .filter((el) => !el.querySelector('li') && visibleFrom(el))
      .map((el) => ({ el, link: el.querySelector(RESULT_LINKS) }))
      .filter((row) => row.link);
  };

  /** Each result row as material: its link and its text runs. */
  globalThis.crmsyncResultMaterials = (rows) => rows.map(({ el, link }) => ({ url: link.href, pieces: pieces(el) }));
})();
