// Service worker: hosts the wasm core and routes content-script messages to it.
// Every decision is made in Rust; this file only dispatches.
import init, { pageAnswer } from './pkg/crmsync.js';

const ready = init({ module_or_path: new URL('./pkg/crmsync_bg.wasm', import.meta.url) });

const handlers = {
  async pageAnswer({ url }) {
    await ready;
    return pageAnswer(String(url ?? ''));
  },
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = handlers[message?.type];
  if (!handler || sender.id !== chrome.runtime.id) return false;
  handler(message, sender).then(
    (result) => sendResponse({ ok: true, result }),
    (error) => sendResponse({ ok: false, error: { message: error?.message ?? String(error), details: error?.details } }),
  );
  return true;
});
