// The record widget page: in the extension's iframe, or embedded by an admin.
// It follows location.hash (#record=<id>&object=<name>).
import init, { mountWidget } from './pkg/crmsync.js';

await init({ module_or_path: new URL('./pkg/crmsync_bg.wasm', import.meta.url) });
mountWidget(document.getElementById('app'));
