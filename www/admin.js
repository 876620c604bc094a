// The admin console page served by the relay at /admin/.
import init, { mountAdmin } from '/pkg/crmsync.js';

await init({ module_or_path: '/pkg/crmsync_bg.wasm' });
const root = document.getElementById('app');
root.replaceChildren();
mountAdmin(root);
