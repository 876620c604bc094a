// Network pages: draw the badge the wasm core decided on next to the page's heading.
crmsyncWatchPage((answer) => {
  const BADGE_ID = 'crmsync-badge';
  let badge = document.getElementById(BADGE_ID);
  if (!answer.badge) {
    badge?.remove();
    return;
  }
  if (!badge) {
    badge = document.createElement('span');
    badge.id = BADGE_ID;
    badge.style.cssText =
      'display:inline-block;margin:4px 0 4px 8px;padding:2px 8px;border-radius:10px;' +
      'font:600 12px/18px system-ui,sans-serif;background:#eef4ff;color:#0b3d91;border:1px solid #b7cdf5';
  }
  const anchor = document.querySelector('main h1, h1');
  if (anchor && badge.previousElementSibling !== anchor) anchor.after(badge);
  else if (!anchor && !badge.isConnected) document.body.prepend(badge);
  if (badge.textContent !== answer.badge.text) badge.textContent = answer.badge.text;
  badge.title = answer.badge.title;
  badge.dataset.state = answer.badge.state;
});
