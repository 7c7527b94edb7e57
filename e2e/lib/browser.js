// One Chromium per test file, one Session per test: browser contexts at a
// phone or desktop size, and `visit` for every page a test looks at
// (full-page screenshot, axe-core, CSP and script errors, sideways scroll).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';

import { chromium } from 'playwright-core';

import { config } from './config.js';

const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const PHONE = { width: 375, height: 812 };
export const DESKTOP = { width: 1280, height: 800 };

/** The WCAG 2.x A/AA rules; failing impacts. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const FAILING_IMPACTS = new Set(['serious', 'critical']);

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let browserPromise = null;
function browser() {
  browserPromise ??= chromium.launch({ executablePath: config.chromium, args: LAUNCH_ARGS });
  return browserPromise;
}
after(async () => {
  if (browserPromise) await (await browserPromise).close();
});

/** A folder-safe name for a test. */
function dirName(name) {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

export class Session {
  constructor(testName, t) {
    this.t = t;
    this.dir = path.join(config.outDir, 'screenshots', dirName(testName));
    this.count = 0;
    this.contexts = [];
    /** Accessibility, CSP and script problems: reported together at the end. */
    this.problems = [];
  }

  /**
   * A fresh browser context (no cookies). `size`: PHONE or DESKTOP. The
   * browser asks for English, so a French page proves the contact's own
   * language setting won over Accept-Language.
   */
  async context({ size = PHONE, clipboard = false } = {}) {
    const context = await (await browser()).newContext({
      viewport: size,
      // The gateway's development certificate is self-signed.
      ignoreHTTPSErrors: true,
      locale: 'en-US',
      baseURL: config.baseUrl,
      // bypassCSP stays off: the pages run under their real CSP, and any
      // violation (an inline script or style) is reported as a problem. axe
      // is injected with page.evaluate, which CSP does not govern (Playwright's
      // addScriptTag({content}) would be blocked by `script-src 'self'`).
    });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(15_000);
    if (clipboard) {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: config.baseUrl });
    }
    context.on('page', (page) => this.watch(page));
    this.contexts.push({ context, size });
    return context;
  }

  /** A new page in a new context. */
  async page(options) {
    const context = await this.context(options);
    return context.newPage();
  }

  watch(page) {
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        this.problems.push(`CSP violation on ${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => {
      this.problems.push(`script error on ${page.url()}: ${error.message}`);
    });
  }

  /**
   * Records the page the test is looking at as `<nn>-<name>`: full-page
   * screenshot, axe-core (WCAG 2.x A/AA), and at phone size no sideways
   * scrolling. Call it once the page shows what the test waits for.
   */
  async visit(page, name) {
    await page.waitForLoadState('load');
    this.count += 1;
    const file = `${String(this.count).padStart(2, '0')}-${dirName(name)}`;
    await fsp.mkdir(this.dir, { recursive: true });
    await page.screenshot({ path: path.join(this.dir, `${file}.png`), fullPage: true });

    await page.evaluate(axeSource);
    const results = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
      AXE_TAGS,
    );
    const where = `${name} (${new URL(page.url()).pathname})`;
    for (const violation of results.violations) {
      const targets = violation.nodes.map((node) => node.target.join(' ')).join(', ');
      const line = `axe ${violation.impact} ${violation.id} on ${where}: ${violation.help} -> ${targets}`;
      if (FAILING_IMPACTS.has(violation.impact)) this.problems.push(line);
      else this.t.diagnostic(line);
    }

    const size = page.viewportSize();
    if (size && size.width <= PHONE.width) {
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scrollWidth > size.width) {
        this.problems.push(`${where} scrolls sideways at ${size.width}px (content is ${scrollWidth}px wide)`);
      }
    }
  }

  /** Saves the HTML of every open page, for a failed test. */
  async saveHtml() {
    await fsp.mkdir(this.dir, { recursive: true });
    let index = 0;
    for (const { context } of this.contexts) {
      for (const page of context.pages()) {
        index += 1;
        try {
          const html = await page.content();
          const file = path.join(this.dir, `failure-${index}.html`);
          await fsp.writeFile(file, `<!-- ${page.url()} -->\n${html}`);
          await page.screenshot({ path: path.join(this.dir, `failure-${index}.png`), fullPage: true });
          this.t.diagnostic(`page ${page.url()} saved to ${file}`);
        } catch (error) {
          this.t.diagnostic(`could not save ${page.url()}: ${error.message}`);
        }
      }
    }
  }

  async close() {
    for (const { context } of this.contexts) await context.close().catch(() => {});
  }
}

/**
 * A browser test: `fn(session)` drives the pages; problems found by `visit`
 * fail the test at the end, listed together; on any failure the open pages'
 * HTML is saved beside the screenshots.
 */
export function e2e(name, fn, { timeout = 90_000 } = {}) {
  test(name, { timeout }, async (t) => {
    const session = new Session(name, t);
    await fsp.rm(session.dir, { recursive: true, force: true });
    try {
      await fn(session);
      if (session.problems.length > 0) {
        throw new Error(`${session.problems.length} problem(s) on the pages visited:\n  - ${session.problems.join('\n  - ')}`);
      }
    } catch (error) {
      await session.saveHtml();
      throw error;
    } finally {
      await session.close();
    }
  });
}
