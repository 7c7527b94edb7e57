// Small steps on the pages of the contract: submitting a form the way a user
// does (its submit button, so the hidden CSRF field goes along), logging in.
import assert from 'node:assert/strict';

import { config } from './config.js';

/**
 * Clicks the submit button of `form` (a selector) and waits for the answer:
 * a new document for a plain form post (redirects followed), or the end of
 * the request when a script sent it. Fails on a 4xx/5xx unless `allowError`.
 * Returns the POST's response.
 */
export async function submit(page, form, { allowError = false } = {}) {
  const button = page
    .locator(form)
    .locator('button[type=submit], input[type=submit], button:not([type])')
    .first();
  // A marker on the current document tells a new document from the old one.
  await page.evaluate(() => { window.__e2eBefore = true; });
  const posted = page.waitForResponse((response) => response.request().method() === 'POST');
  await button.click();
  const response = await posted;
  if (response.request().isNavigationRequest()) {
    await page.waitForFunction(() => !window.__e2eBefore);
    await page.waitForLoadState('load');
  } else {
    await response.finished();
  }
  if (!allowError) {
    assert.ok(response.status() < 400, `submitting ${form} answered ${response.status()} (${response.url()})`);
  }
  return response;
}

/** `/t/{slug}/…` on the gateway. */
export function tenantPath(slug, rest = '') {
  return `/t/${slug}/${rest}`;
}

/** The path of the page, e.g. `/t/acme/`. */
export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** Fills and submits `#login-form`; the caller checks where it lands. */
export async function logIn(page, slug, email, password, options) {
  if (pathOf(page) !== tenantPath(slug, 'login')) await open(page, tenantPath(slug, 'login'));
  await page.locator('#login-form [name=email]').fill(email);
  await page.locator('#login-form [name=password]').fill(password);
  return submit(page, '#login-form', options);
}

/** Waits until the page's path is exactly `expected`. */
export async function waitForPath(page, expected) {
  try {
    await page.waitForURL((url) => url.pathname === expected);
  } catch {
    assert.fail(`expected to be on ${expected}, but the page is ${page.url()}`);
  }
}

/** The full URL of a path on the gateway. */
export function absolute(pathname) {
  return `${config.baseUrl}${pathname}`;
}

/**
 * Opens `target` (a path on the gateway or a full URL) and fails at once,
 * with the status, when the final answer is not 2xx/3xx: quicker and
 * clearer than waiting for an element a 404 page never has.
 */
export async function open(page, target) {
  const response = await page.goto(target);
  assert.ok(response, `opening ${target} gave no response`);
  assert.ok(
    response.status() < 400,
    `GET ${target} answered ${response.status()} (now on ${page.url()})`,
  );
  checkSecurityHeaders(response);
  return response;
}

/** The headers issue 3 asks of every page: CSP without unsafe-inline, no framing, HSTS, no-sniff. */
export function checkSecurityHeaders(response) {
  const headers = response.headers();
  const where = new URL(response.url()).pathname;
  const csp = headers['content-security-policy'] ?? '';
  assert.ok(csp, `${where} has no Content-Security-Policy`);
  assert.ok(!csp.includes('unsafe-inline'), `${where}: CSP allows unsafe-inline: ${csp}`);
  assert.match(csp, /frame-ancestors 'none'/, `${where}: CSP lacks frame-ancestors 'none': ${csp}`);
  assert.ok(headers['strict-transport-security'], `${where} has no Strict-Transport-Security`);
  assert.equal(headers['x-content-type-options'], 'nosniff', `${where} lacks X-Content-Type-Options: nosniff`);
}
