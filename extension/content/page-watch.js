// Shared by both content scripts: asks the service worker what the current URL shows,
// again after every single-page-app navigation, and lets the caller redraw.
globalThis.crmsyncWatchPage = (draw) => {
  let seenUrl = null;
  let answer = null;
  const check = async () => {
    if (location.href === seenUrl) {
      if (answer) draw(answer); // re-attach if the host page re-rendered us away
      return;
    }
    const url = (seenUrl = location.href);
    let reply;
    try {
      reply = await chrome.runtime.sendMessage({ type: 'pageAnswer', url });
    } catch (error) {
      seenUrl = null; // service worker not ready: ask again on the next tick
      return;
    }
    if (url !== location.href) return;
    if (!reply?.ok) {
      console.warn('crmsync:', reply?.error?.message);
      return;
    }
    answer = reply.result;
    draw(answer);
  };
  check();
  setInterval(check, 250);
  addEventListener('popstate', check);
  globalThis.navigation?.addEventListener('navigatesuccess', check);
};
