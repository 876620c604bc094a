// The badge index in real headless Chromium, as the extension uses it: the snapshot sent
// gzip-encoded (as the relay sends it), decoded into the wasm core with `loadIndex`, then
// one `pageAnswer` per network profile (the content script's question), each timed alone.
// Also the record widget's first render after its iframe is created.
//
//   node tests/bench/browser_index.mjs DIST LABEL=INDEX:NETWORK_CSV [...]
// prints Markdown table rows.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, extname } from 'node:path';
import { chromium } from 'playwright-core';

const [dist, ...specs] = process.argv.slice(2);
const LOOKUPS = 20_000;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** The first `n` profiles of a generated network.csv as the content script reads them. */
function observations(csv, n) {
  const rows = [];
  const lines = readFileSync(csv, 'utf8').split('\n');
  const header = lines[0].split(',');
  const col = (name) => header.indexOf(name);
  for (const line of lines.slice(1, n + 1)) {
    if (!line) continue;
    const f = [];
    let cur = '';
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) { f.push(cur); cur = ''; } else cur += ch;
    }
    f.push(cur);
    rows.push({
      url: `https://www.linkedin.com/in/${f[col('id')]}/`,
      seen: { url: '', name: `${f[col('first_name')]} ${f[col('last_name')]}`, headline: f[col('headline')], location: f[col('location')] },
    });
  }
  return rows;
}

const indexes = {};
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path.startsWith('/index/')) {
    const gz = indexes[path.slice(7)];
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip', 'content-length': gz.length });
    res.end(gz);
    return;
  }
  if (path === '/bench.html') {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>');
    return;
  }
  try {
    const body = readFileSync(join(dist, 'www', path));
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--js-flags=--max-old-space-size=4096'] });

const fmt = (ms) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);
for (const spec of specs) {
  const [label, rest] = spec.split('=');
  const [indexPath, networkCsv] = rest.split(':');
  const raw = readFileSync(indexPath);
  // The relay compresses with flate2's default level (6); so does this.
  indexes[label] = gzipSync(raw, { level: 6 });
  const questions = observations(networkCsv, LOOKUPS);
  const page = await browser.newPage();
  await page.goto(`${base}/bench.html`);
  const r = await page.evaluate(async ({ label, questions }) => {
    const glue = await import('/pkg/crmsync.js');
    const wasm = await glue.default({ module_or_path: '/pkg/crmsync_bg.wasm' });
    const t0 = performance.now();
    const bytes = new Uint8Array(await (await fetch(`/index/${label}`)).arrayBuffer());
    const t1 = performance.now();
    const loaded = glue.loadIndex(bytes);
    const t2 = performance.now();
    const times = [];
    let inCrm = 0;
    for (const q of questions) {
      const s = performance.now();
      const answer = glue.pageAnswer({ url: q.url, seen: q.seen, results: [], instance_url: 'https://acme.my.salesforce.com' });
      times.push(performance.now() - s);
      if (answer.badge?.state === 'in_crm') inCrm += 1;
    }
    times.sort((a, b) => a - b);
    const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    return { fetchMs: t1 - t0, loadMs: t2 - t1, people: loaded.people, n: times.length, inCrm,
      p50: at(0.5), p99: at(0.99), max: times[times.length - 1], heap: wasm.memory.buffer.byteLength };
  }, { label, questions });
  console.log(`| ${label} (${r.people.toLocaleString('en-US')} people) | ${(raw.length / 2 ** 20).toFixed(1)} MiB | `
    + `${(indexes[label].length / 2 ** 20).toFixed(1)} MiB | ${(r.fetchMs / 1000).toFixed(2)} s | ${(r.loadMs / 1000).toFixed(2)} s | `
    + `${(r.heap / 2 ** 20).toFixed(0)} MiB | ${r.n.toLocaleString('en-US')} (${r.inCrm.toLocaleString('en-US')} in CRM) | `
    + `${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} |`);
  await page.close();
  delete indexes[label];
}

// The widget's first render: from creating its iframe to the record shown, five times.
const page = await browser.newPage();
await page.goto(`${base}/bench.html`);
const renders = [];
for (let i = 0; i < 5; i++) {
  renders.push(await page.evaluate(() => new Promise((resolve) => {
    document.body.replaceChildren();
    const frame = document.createElement('iframe');
    const start = performance.now();
    let loadedAt = null;
    frame.onload = () => { loadedAt = performance.now(); };
    frame.src = `/widget.html?${Math.random()}#record=0037e00001WZ30q&object=Contact`;
    document.body.append(frame);
    const poll = () => {
      const shown = frame.contentDocument?.querySelector('[data-testid=record-id]');
      if (shown) resolve({ total: performance.now() - start, afterLoad: loadedAt === null ? 0 : performance.now() - loadedAt });
      else setTimeout(poll, 1);
    };
    poll();
  })));
}
renders.sort((a, b) => a.total - b.total);
const mid = renders[2];
console.log(`WIDGET | ${mid.total.toFixed(0)} ms | ${mid.afterLoad.toFixed(0)} ms | ${renders[0].total.toFixed(0)}–${renders[4].total.toFixed(0)} ms |`);
await browser.close();
server.close();
