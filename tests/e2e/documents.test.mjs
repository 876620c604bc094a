// Tracked document links from the real extension's popup in Chromium: a rep shares a
// PDF for a contact, opens the link (the relay serves the PDF) and sees the view in the
// popup; a revoked link answers 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startStack, eventually, signInFromPopup, seatedRep, crmContacts } from './harness.mjs';

let stack;
before(async () => { stack = await startStack(); });
after(async () => { await stack?.close(); });

test('popup: share a PDF as a tracked link, see its views, revoke it', { timeout: 90_000 }, async () => {
  const rep = await seatedRep(stack);
  const { named } = await crmContacts(stack);
  const contact = named[0];
  const popup = await signInFromPopup(stack, rep);
  await popup.fill('#share-title', 'Pricing deck');
  await popup.fill('#share-record', contact.Id);
  await popup.setInputFiles('#share-file', {
    name: 'deck.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  await popup.click('#share-form button[type=submit]');
  const shown = popup.locator('[data-testid=share-link] a');
  await shown.waitFor({ timeout: 15_000 });
  const link = await shown.getAttribute('href');
  assert.match(link, new RegExp(`^${stack.relayUrl}/d/[A-Za-z0-9_-]{20,}$`));

  const opened = await fetch(link);
  assert.equal(opened.status, 200);
  assert.equal(opened.headers.get('content-type'), 'application/pdf');
  assert.equal(await opened.text(), '%PDF-1.4\n%%EOF\n');

  await popup.reload();
  const item = popup.locator('[data-testid=documents] li').first();
  await eventually(() => item.textContent(), (t) => /^Pricing deck: 1 view, last /.test(t ?? ''), 15_000);
  await item.locator('button').click();
  await eventually(() => item.textContent(), (t) => /\(revoked\)/.test(t ?? ''), 10_000);
  assert.equal((await fetch(link)).status, 404);
});
