// crmsync's UI inside network pages lives in closed shadow roots: the page sees only an
// empty host element marked `data-crmsync`, never who is in the CRM, owners, record ids
// or contact details, and cannot reach the controls (its scripts get no shadowRoot, and
// synthetic clicks are ignored: every handler checks `isTrusted`).
(() => {
  const roots = new WeakMap();

  /** The closed shadow root behind `host`, made on first use. */
  globalThis.crmsyncShadow = (host) => {
    let root = roots.get(host);
    if (!root) {
      host.dataset.crmsync = '';
      root = host.attachShadow({ mode: 'closed' });
      roots.set(host, root);
    }
    return root;
  };

  const named = new Map();
  /** One host per `name` (the page badge, the filter bar), kept across redraws. */
  globalThis.crmsyncHost = (name) => {
    let host = named.get(name);
    if (!host) {
      host = document.createElement('span');
      crmsyncShadow(host);
      named.set(name, host);
    }
    return { host, root: crmsyncShadow(host) };
  };

  /** Runs `handler` for clicks a person made (not a page script's `.click()`). */
  globalThis.crmsyncOnTrusted = (el, type, handler) => {
    el.addEventListener(type, (event) => {
      if (event.isTrusted) handler(event);
    });
  };
})();
