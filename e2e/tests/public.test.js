// Pages anyone can open: a wrong password, forgot password (first access
// included), registration.
import assert from 'node:assert/strict';

import { createCustomer, createTenant } from '../lib/api.js';
import { PHONE, e2e } from '../lib/browser.js';
import { waitForLink } from '../lib/mail.js';
import { logIn, open, submit, tenantPath, waitForPath } from '../lib/pages.js';

e2e('a wrong password shows an error and sets no session cookie', async (session) => {
  const tenant = await createTenant('wrongpw');
  const context = await session.context({ size: PHONE });
  const page = await context.newPage();
  await open(page, tenantPath(tenant.slug, 'login'));
  await page.locator('#login-form').waitFor();
  const blank = await page.locator('body').innerText();
  const before = new Set((await context.cookies()).map((cookie) => cookie.name));

  await logIn(page, tenant.slug, tenant.admin.email, 'not the password', { allowError: true });
  await page.locator('#login-form').waitFor();
  await waitForPath(page, tenantPath(tenant.slug, 'login'));
  const shown = await page.locator('body').innerText();
  assert.notEqual(shown, blank, 'the login page looks the same after a wrong password: no error shown');
  const alert = page.locator('[role=alert], .error, [aria-invalid=true]');
  assert.ok((await alert.count()) > 0, 'no [role=alert] (or .error) after a wrong password');
  const added = (await context.cookies()).filter((cookie) => !before.has(cookie.name));
  assert.deepEqual(added.map((cookie) => cookie.name), [], 'a wrong password set new cookies');
  await session.visit(page, 'login-wrong-password');
});

e2e('first access through forgot password: same answer for any address, reset link, then log in', async (session) => {
  const tenant = await createTenant('forgot');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Grace Hopper', language: 'en', localPart: 'grace' },
    portal: true,
  });
  const email = customer.contact.email;
  const page = await session.page({ size: PHONE });

  // The answer must not tell whether an address is known (A5).
  const answers = [];
  for (const address of [`nobody@${tenant.slug}.example`, email]) {
    await open(page, tenantPath(tenant.slug, 'password/forgot'));
    await page.locator('#forgot-form [name=email]').waitFor();
    if (answers.length === 0) await session.visit(page, 'forgot-password');
    await page.locator('#forgot-form [name=email]').fill(address);
    await submit(page, '#forgot-form');
    answers.push((await page.locator('main').innerText()).replaceAll(address, '<address>'));
  }
  assert.equal(answers[1], answers[0], 'forgot password answers differently for a known and an unknown address');
  await session.visit(page, 'forgot-password-sent');

  const { link } = await waitForLink(email, '/password-reset?token=');
  await open(page, link);
  await page.locator('#reset-form').waitFor();
  await session.visit(page, 'reset-password');
  const password = 'a brand new password';
  await page.locator('#reset-form [name=password]').fill(password);
  const confirm = page.locator('#reset-form [name=password_confirm]');
  if ((await confirm.count()) > 0) await confirm.fill(password);
  await submit(page, '#reset-form');

  // Wherever the reset lands, the new password now opens the portal.
  const fresh = await session.page({ size: PHONE });
  await logIn(fresh, tenant.slug, email, password);
  await waitForPath(fresh, tenantPath(tenant.slug));
  await fresh.locator('section#customer-card').waitFor();
});

e2e('registration page', async (session) => {
  const tenant = await createTenant('register');
  const page = await session.page({ size: PHONE });
  await open(page, tenantPath(tenant.slug, 'register'));
  await page.locator('#register-form').waitFor();
  await session.visit(page, 'register');
});
