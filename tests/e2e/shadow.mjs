// Reaching crmsync's closed shadow roots from a test. The page's own scripts cannot (that
// is the point), but the DevTools protocol sees closed roots (DOM.getDocument with
// pierce). Clicks and typing go through Playwright's mouse and keyboard, so they are
// trusted events, as a person's are.
export async function crmsyncUi(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('DOM.enable');

  /** Node ids of the shadow roots behind `data-crmsync` hosts (closed ones included). */
  const roots = async () => {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    const found = [];
    const walk = (node) => {
      const attrs = node.attributes ?? [];
      const ours = attrs.some((name, i) => i % 2 === 0 && name === 'data-crmsync');
      for (const shadow of node.shadowRoots ?? []) {
        if (ours) found.push(shadow.nodeId);
        walk(shadow);
      }
      for (const child of node.children ?? []) walk(child);
    };
    walk(root);
    return found;
  };
  const all = async (selector) => {
    const ids = [];
    for (const nodeId of await roots()) {
      ids.push(...(await cdp.send('DOM.querySelectorAll', { nodeId, selector })).nodeIds);
    }
    return ids;
  };
  const call = async (nodeId, fn, ...args) => {
    const { object } = await cdp.send('DOM.resolveNode', { nodeId });
    const { result, exceptionDetails } = await cdp.send('Runtime.callFunctionOn', {
      objectId: object.objectId, functionDeclaration: fn.toString(), arguments: args.map((value) => ({ value })), returnByValue: true,
    });
    await cdp.send('Runtime.releaseObject', { objectId: object.objectId });
    if (exceptionDetails) throw new Error(`${fn}: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
    return result.value;
  };
  /** The first element matching `selector`, waiting up to `timeout` for it. */
  const one = async (selector, timeout = 10_000) => {
    const started = Date.now();
    for (;;) {
      const [id] = await all(selector);
      if (id) return id;
      if (Date.now() - started > timeout) throw new Error(`no crmsync element ${selector} after ${timeout} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const now = async (selector, fn, ...args) => {
    const [id] = await all(selector);
    return id ? call(id, fn, ...args) : null;
  };
  return {
    count: async (selector) => (await all(selector)).length,
    /** Text of the first match (waits for it). */
    text: async (selector, timeout) => call(await one(selector, timeout), function () { return this.textContent; }),
    /** An attribute of the first match now, or null when there is none. */
    attr: (selector, name) => now(selector, function (n) { return this.getAttribute(n); }, name),
    /** `value` of every match, in order. */
    values: async (selector) => Promise.all((await all(selector)).map((id) => call(id, function () { return this.value; }))),
    checked: (selector) => now(selector, function () { return this.checked; }),
    disabled: (selector) => now(selector, function () { return this.disabled; }),
    click: async (selector) => {
      const id = await one(selector);
      await cdp.send('DOM.scrollIntoViewIfNeeded', { nodeId: id });
      const { quads } = await cdp.send('DOM.getContentQuads', { nodeId: id });
      const q = quads[0];
      await page.mouse.click((q[0] + q[2] + q[4] + q[6]) / 4, (q[1] + q[3] + q[5] + q[7]) / 4);
    },
    /** Replaces a text field's value by typing `text` into it. */
    fill: async (selector, text) => {
      await call(await one(selector), function () { this.value = ''; this.focus(); });
      await page.keyboard.insertText(text);
    },
    select: async (selector, value) => call(await one(selector), function (v) { this.value = v; }, value),
    close: () => cdp.detach(),
  };
}
