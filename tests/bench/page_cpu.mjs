// CPU time a network profile page spends with the extension loaded and nothing happening:
// the page's renderer main thread (where content scripts run) over 20 s, from CDP
// `Performance.getMetrics` (TaskDuration, ScriptDuration), median of 3 runs per build.
// Builds: the current dist/extension, and — for comparison — the extension files of `BASE`
// (default 4ef3524: content scripts polling every 250 ms and 400 ms) on this build's wasm.
// Usage: node tests/bench/page_cpu.mjs DIST [BASE]; prints a Markdown table row per build.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

const dist = process.argv[2] ?? 'dist';
const base = process.argv[3] ?? '4ef3524';
const SECONDS = 20;
const RUNS = 3;
const work = mkdtempSync(join(tmpdir(), 'crmsync-page-cpu-'));

/** dist/extension with every extension file of `base` (scripts, service worker, manifest);
 *  only the wasm module (pkg/) and the widget pages are this build's. */
function baseBuild() {
  const dir = join(work, 'base');
  cpSync(join(dist, 'extension'), dir, { recursive: true });
  const files = execFileSync('git', ['ls-tree', '-r', '--name-only', base, 'extension/'], { encoding: 'utf8' })
    .split('\n').filter(Boolean);
  for (const file of files) {
    const target = join(dir, file.slice('extension/'.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, execFileSync('git', ['show', `${base}:${file}`]));
  }
  return dir;
}

const page = `<!doctype html><title>Ada Lovelace | LinkedIn</title><main><section>
<h1>Ada Lovelace</h1><div class="text-body-medium">Engineer at Analytical Engines</div>
<span class="text-body-small inline t-black--light">London, England</span>
<a href="/in/ada/overlay/contact-info/">Contact info</a></section>
<form class="msg-form"><div contenteditable="true"></div><button class="msg-form__send-button" type="submit">Send</button></form>
${'<section><p>' + 'Lorem ipsum dolor sit amet. '.repeat(40) + '</p></section>'.repeat(1)}
</main>`;

function certificate() {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(work, 'key.pem'),
    '-out', join(work, 'cert.pem'), '-days', '2', '-subj', '/CN=bench', '-addext', 'subjectAltName=DNS:www.linkedin.com'],
  { stdio: 'ignore' });
  return { key: execFileSync('cat', [join(work, 'key.pem')]), cert: execFileSync('cat', [join(work, 'cert.pem')]) };
}

async function measure(extDir, port) {
  const samples = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await chromium.launchPersistentContext(join(work, `profile-${Math.random()}`), {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, ignoreHTTPSErrors: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--ignore-certificate-errors',
        `--host-resolver-rules=MAP www.linkedin.com 127.0.0.1:${port}`,
        `--disable-extensions-except=${extDir}`, `--load-extension=${extDir}`],
    });
    const tab = await context.newPage();
    await tab.goto('https://www.linkedin.com/in/ada-lovelace/');
    await tab.waitForTimeout(3000); // settle: first answer drawn
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Performance.enable');
    const read = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await read();
    await tab.waitForTimeout(SECONDS * 1000);
    const after = await read();
    samples.push({ task: after.TaskDuration - before.TaskDuration, script: after.ScriptDuration - before.ScriptDuration });
    await context.close();
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { task: median(samples.map((s) => s.task)), script: median(samples.map((s) => s.script)) };
}

const server = createServer(certificate(), (req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(page);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
try {
  const ms = (s) => `${(s * 1000).toFixed(1)} ms`;
  const per = (s) => `${((s * 1000) / SECONDS).toFixed(2)} ms/s`;
  for (const [name, dir] of [[`extension of ${base} (polling every 250 ms and 400 ms)`, baseBuild()],
    ['this build (MutationObserver, debounced)', join(dist, 'extension')]]) {
    const { task, script } = await measure(dir, port);
    console.log(`| ${name} | ${ms(task)} (${per(task)}) | ${ms(script)} |`);
  }
} finally {
  server.close();
  rmSync(work, { recursive: true, force: true });
}
