// Salesforce pages: mount the widget iframe on record pages, remove it elsewhere.
// The iframe is an extension page, so the widget runs in the extension's origin.
crmsyncWatchPage((answer) => {
  const FRAME_ID = 'crmsync-widget-frame';
  let frame = document.getElementById(FRAME_ID);
  if (!answer.widget_fragment) {
    frame?.remove();
    return;
  }
  const src = `${chrome.runtime.getURL('widget.html')}#${answer.widget_fragment}`;
  if (!frame) {
    frame = document.createElement('iframe');
    frame.id = FRAME_ID;
    frame.title = 'crmsync';
    frame.style.cssText =
      'position:fixed;right:16px;bottom:16px;width:380px;height:480px;z-index:2147483000;' +
      'border:1px solid #c9c9c9;border-radius:8px;background:#fff;box-shadow:0 2px 8px rgba(0,0,0,.15)';
    frame.src = src;
    document.body.append(frame);
  } else if (frame.src !== src) {
    frame.src = src; // only the fragment changes: the widget updates without reloading
  }
});
