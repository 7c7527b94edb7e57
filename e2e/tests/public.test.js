// Pages anyone can open: a wrong password, forgot password, registration.
import assert from 'node:assert/strict';

import { createTenant } from '../lib/api.js';
import { PHONE, e2e } from '../lib/browser.js';
import { logIn, open, tenantPath, waitForPath } from '../lib/pages.js';

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

e2e('forgot password and registration pages', async (session) => {
  const tenant = await createTenant('public');
  const page = await session.page({ size: PHONE });

  await open(page, tenantPath(tenant.slug, 'password/forgot'));
  await page.locator('#forgot-form [name=email]').waitFor();
  await session.visit(page, 'forgot-password');

  await open(page, tenantPath(tenant.slug, 'register'));
  await page.locator('#register-form').waitFor();
  await session.visit(page, 'register');
});
