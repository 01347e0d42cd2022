// Runs axe-core in a page and returns its violations, each with the elements at fault, so a failed
// assertion says what to fix. Also the check that a page does not scroll sideways.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  // The project's types carry no DOM: the page's globals are reached through globalThis.
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe and document are the page's globals
    const { axe, document } = globalThis as any;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    // biome-ignore lint/suspicious/noExplicitAny: axe's result shape
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n: any) => n.target.join(' ')) }));
  });
}

/** How far the page scrolls sideways: 0 when nothing is wider than the window. */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    // biome-ignore lint/suspicious/noExplicitAny: the page's globals
    const { document, innerWidth } = globalThis as any;
    return document.scrollingElement.scrollWidth - innerWidth;
  });
}
