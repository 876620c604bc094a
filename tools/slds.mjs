// Builds slds.css: the parts of the Salesforce Lightning Design System (npm
// @salesforce-ux/design-system, BSD-3-Clause) that crmsync's pages use, so the widget
// looks like the Lightning cards around it. Each component file of the package repeats the
// design tokens (`:root { … }`); they are kept once. No icons or fonts are shipped: the
// pages use the system font stack, as Lightning falls back to.
// Usage: node tools/slds.mjs OUT.css [OUT2.css …]
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const COMPONENTS = ['common', 'cards/base', 'buttons/base', 'badges/base', 'form-element/base', 'input/base',
  'textarea/base', 'select/base', 'checkbox/base'];
const require = createRequire(import.meta.url);
const root = dirname(require.resolve('@salesforce-ux/design-system/package.json'));
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The file without its banner, charset and leading `:root { … }` token block. */
function split(css) {
  const body = css.replace(/^\/\*![^*]*\*\/\s*/, '').replace(/^@charset "UTF-8";\s*/, '');
  const match = body.match(/^:root\s*\{[^}]*\}\s*/);
  return match ? { tokens: match[0], rules: body.slice(match[0].length) } : { tokens: '', rules: body };
}

let tokens = '';
const parts = [];
for (const name of COMPONENTS) {
  const { tokens: t, rules } = split(readFileSync(join(root, 'css', name, 'index.css'), 'utf8'));
  if (!tokens) tokens = t;
  else if (t && t !== tokens) parts.push(t); // a component's own tokens stay
  parts.push(`/* ${name} */\n${rules}`);
}
const out = `/*! Salesforce Lightning Design System ${version} (BSD-3-Clause, https://github.com/salesforce-ux/design-system):
   ${COMPONENTS.join(', ')} — built by tools/slds.mjs */\n@charset "UTF-8";\n${tokens}\n${parts.join('\n')}`;
for (const path of process.argv.slice(2)) writeFileSync(path, out);
console.error(`slds.css: ${COMPONENTS.length} components, ${(out.length / 1024).toFixed(0)} KiB`);
