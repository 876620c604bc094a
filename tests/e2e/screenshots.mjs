// Makes the README's screenshots (docs/*.png) from the same stack the e2e tests use:
//   CRMSYNC_BIN_DIR=target/debug CRMSYNC_DIST=dist node tests/e2e/screenshots.mjs
// Not a test: run it by hand after changing what the badge or the widget look like.
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack, eventually, signInFromPopup, seatedRep, crmContacts } from './harness.mjs';
import { crmsyncUi } from './shadow.mjs';

const docs = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs');
const stack = await startStack();
try {
  const rep = await seatedRep(stack);
  const { named: [ada, bob], profile } = await crmContacts(stack);
  const profiles = stack.fixtureData.profiles;
  for (const slug of Object.keys(profiles)) delete profiles[slug];
  profiles['ada-in-crm'] = profile(ada);
  profiles['bob-in-crm'] = profile(bob);
  profiles['zeb-nobody'] = { name: 'Zebulon Quartermaine', headline: 'Keeper at Nowhere Lighthouse Trust', location: 'Cornwall' };

  const popup = await signInFromPopup(stack, rep);
  await popup.check('#share');
  await eventually(() => popup.locator('[data-testid=index-status]').textContent(), (t) => /version/.test(t), 20_000);
  await popup.setViewportSize({ width: 360, height: 420 });
  await popup.screenshot({ path: join(docs, 'popup.png') });

  const page = await stack.context.newPage();
  await page.setViewportSize({ width: 900, height: 420 });
  await page.goto('https://www.linkedin.com/in/ada-in-crm/');
  const ui = await crmsyncUi(page);
  await eventually(() => ui.attr('#crmsync-badge', 'data-state'), (s) => s === 'in_crm', 15_000);
  await ui.click('#crmsync-badge-contact');
  await ui.text('#crmsync-contact [data-field=email]');
  await page.screenshot({ path: join(docs, 'badge.png') });

  await page.goto('https://www.linkedin.com/search/results/people/?keywords=x');
  await eventually(() => ui.count('.crmsync-result-badge'), (n) => n === 3, 15_000);
  await page.screenshot({ path: join(docs, 'search.png') });

  await page.setViewportSize({ width: 1000, height: 640 });
  await page.goto(`https://acme.lightning.force.com/lightning/r/Contact/${ada.Id}/view`);
  const widget = page.frameLocator('#crmsync-widget-frame');
  await widget.locator('.crmsync-match [data-testid=profile-name]').waitFor({ timeout: 15_000 });
  await widget.locator('[data-testid=opt-in-call]').check();
  await eventually(() => widget.locator('[data-testid=log-call]').isDisabled(), (d) => d === false);
  await widget.locator('[data-testid=activity-text]').fill('Intro call\nInterested in a demo');
  await widget.locator('[data-testid=log-call]').click();
  await widget.locator('[data-testid=record-activities] li').waitFor();
  await page.screenshot({ path: join(docs, 'widget.png') });
  console.log(`screenshots written to ${docs}`);
} finally {
  await stack.close();
}
