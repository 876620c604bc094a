// Shared by the content scripts: asks the service worker about the current page (the
// URL and the material `read()` collected) whenever either may have changed — a DOM
// change in the page (a MutationObserver, debounced), single-page-app navigation, a new
// index or a sign-in/out — and lets the caller draw. Changes to crmsync's own elements
// (marked `data-crmsync`) do not count, so drawing never triggers another round.
(() => {
  const listeners = new Set();
  const drawnListeners = new Set();
  const ours = (node) => {
    const el = node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement;
    return Boolean(el?.closest?.('[data-crmsync]'));
  };
  const foreign = (record) => !ours(record.target)
    && ![...record.addedNodes, ...record.removedNodes].every((n) => n.nodeType === Node.ELEMENT_NODE && n.hasAttribute('data-crmsync'));
  let timer = null;
  const notify = () => {
    clearTimeout(timer);
    timer = setTimeout(() => listeners.forEach((f) => f()), 120);
  };
  const observer = new MutationObserver((records) => {
    if (records.some(foreign)) notify();
  });
  observer.observe(document.documentElement, { childList: true, subtree: true, characterData: true });
  addEventListener('popstate', notify);
  globalThis.navigation?.addEventListener('navigatesuccess', notify);

  /** Calls `listener` (debounced) after the page changed or navigated. */
  globalThis.crmsyncOnPageChange = (listener) => listeners.add(listener);

  /** Calls `listener` after each draw of an answer (crmsync's own changes are not page changes). */
  globalThis.crmsyncOnDrawn = (listener) => drawnListeners.add(listener);

  globalThis.crmsyncWatchPage = (draw, read = () => ({})) => {
    let asked = null;
    let answer = null;
    let busy = false;
    let again = false;
    const question = () => ({ url: location.href, ...read() });
    const show = (a) => {
      draw(a);
      drawnListeners.forEach((f) => f(a));
    };
    const check = async (force = false) => {
      if (busy) {
        again = true; // asked while an answer is on its way: ask once more after it
        return;
      }
      const q = question();
      const key = JSON.stringify(q);
      if (key === asked && !force) {
        if (answer) show(answer); // re-attach if the host page re-rendered us away
        return;
      }
      busy = true;
      asked = key;
      let reply;
      try {
        reply = await chrome.runtime.sendMessage({ type: 'crmsync:pageAnswer', ...q });
      } catch {
        asked = null; // service worker not ready: ask again shortly
        setTimeout(check, 500);
        return;
      } finally {
        busy = false;
      }
      if (again) {
        again = false;
        check();
      }
      if (JSON.stringify(question()) !== key) return; // the page moved on meanwhile
      if (!reply?.ok) {
        console.warn('crmsync:', reply?.error?.message);
        return;
      }
      answer = reply.result;
      show(answer);
    };
    check();
    crmsyncOnPageChange(() => check());
    chrome.runtime.onMessage.addListener((message) => {
      if (message?.type === 'crmsync:changed') check(true);
    });
  };
})();
