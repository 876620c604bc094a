// Shared by both content scripts: asks the service worker about the current page (the
// URL and what `read()` found on it) whenever either changes — single-page-app
// navigation, a re-render, a new index or a sign-in/out — and lets the caller draw.
globalThis.crmsyncWatchPage = (draw, read = () => ({})) => {
  let asked = null;
  let answer = null;
  let busy = false;
  const question = () => ({ url: location.href, ...read() });
  const check = async (force = false) => {
    const q = question();
    const key = JSON.stringify(q);
    if (key === asked && !force) {
      if (answer) draw(answer); // re-attach if the host page re-rendered us away
      return;
    }
    if (busy) return;
    busy = true;
    asked = key;
    let reply;
    try {
      reply = await chrome.runtime.sendMessage({ type: 'pageAnswer', ...q });
    } catch {
      asked = null; // service worker not ready: ask again on the next tick
      return;
    } finally {
      busy = false;
    }
    if (JSON.stringify(question()) !== key) return; // the page moved on meanwhile
    if (!reply?.ok) {
      console.warn('crmsync:', reply?.error?.message);
      return;
    }
    answer = reply.result;
    draw(answer);
  };
  check();
  setInterval(check, 250);
  addEventListener('popstate', () => check());
  globalThis.navigation?.addEventListener('navigatesuccess', () => check());
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && (changes.index || changes.session)) check(true);
  });
};
