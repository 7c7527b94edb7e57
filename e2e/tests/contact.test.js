// Issue 3: a contact accepts an invitation and lands on the portal home in
// French; the settings page; logging out. Contact pages at phone size.
import assert from 'node:assert/strict';

import { call, createCustomer, createTenant } from '../lib/api.js';
import { PHONE, e2e } from '../lib/browser.js';
import { waitForLink } from '../lib/mail.js';
import { logIn, open, pathOf, submit, tenantPath, waitForPath } from '../lib/pages.js';

const PASSWORD = 'un mot de passe assez long';

e2e('contact accepts an invitation and lands on the portal home in French', async (session) => {
  const tenant = await createTenant('inv');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jean Dupont', language: 'fr', localPart: 'jean' },
    portal: true,
  });
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  assert.match(new URL(link).search, /^\?token=./, `invitation link without a token: ${link}`);

  const page = await session.page({ size: PHONE });
  await open(page, link);
  await page.locator('#invitation-form').waitFor();
  await session.visit(page, 'invitation');

  await page.locator('#invitation-form [name=password]').fill(PASSWORD);
  await page.locator('#invitation-form [name=password_confirm]').fill(PASSWORD);
  await submit(page, '#invitation-form');

  await waitForPath(page, tenantPath(tenant.slug));
  // The browser asks for English (en-US): French comes from the contact's setting.
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  const card = page.locator('section#customer-card');
  await card.waitFor();
  const text = await card.innerText();
  assert.ok(text.includes(customer.number), `#customer-card lacks the number ${customer.number}: ${text}`);
  assert.ok(text.includes(customer.name), `#customer-card lacks the name ${customer.name}: ${text}`);
  await session.visit(page, 'portal-home');

  await open(page, tenantPath(tenant.slug, 'settings'));
  await page.locator('#profile-form').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  for (const form of ['#password-form', '#logout-everywhere-form']) {
    assert.equal(await page.locator(form).count(), 1, `settings page lacks ${form}`);
  }
  await session.visit(page, 'settings');

  // B5: the people of the organisation, all of them or those sharing a site.
  await open(page, tenantPath(tenant.slug, 'contacts'));
  const people = await page.locator('#contacts-table').innerText();
  assert.ok(people.includes('Jean Dupont'), `the organisation's contacts lack Jean Dupont: ${people}`);
  assert.equal(await page.locator('nav.tabs a[aria-current=page]').count(), 1, 'no Mine/All tab is current');
  await session.visit(page, 'organisation-contacts');
});

e2e('contact logs in, sees HttpOnly Secure SameSite=Lax cookies, and logs out to the login page', async (session) => {
  const tenant = await createTenant('logout');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Ada Lovelace', language: 'en', localPart: 'ada' },
    portal: true,
  });
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  const token = new URL(link).searchParams.get('token');
  // Activated through the API: this test is about the login page, not the invitation.
  await call('POST', '/auth/invitations/accept', { body: { token, password: PASSWORD } });

  const context = await session.context({ size: PHONE });
  const page = await context.newPage();
  await open(page, tenantPath(tenant.slug, 'login'));
  await page.locator('#login-form').waitFor();
  await session.visit(page, 'login');
  const before = new Set((await context.cookies()).map((cookie) => cookie.name));

  await logIn(page, tenant.slug, customer.contact.email, PASSWORD);
  await waitForPath(page, tenantPath(tenant.slug));
  await page.locator('section#customer-card').waitFor();
  const added = (await context.cookies()).filter((cookie) => !before.has(cookie.name));
  assert.ok(added.length > 0, 'logging in set no new cookie');
  for (const cookie of added) {
    assert.ok(cookie.httpOnly, `cookie ${cookie.name} is not HttpOnly`);
    assert.ok(cookie.secure, `cookie ${cookie.name} is not Secure`);
    assert.equal(cookie.sameSite, 'Lax', `cookie ${cookie.name} is SameSite=${cookie.sameSite}`);
  }
  await session.visit(page, 'portal-home');

  await submit(page, '#logout-form');
  await waitForPath(page, tenantPath(tenant.slug, 'login'));
  await page.locator('#login-form').waitFor();
  await session.visit(page, 'logged-out');
  // The session is gone: the portal home sends us back to the login page.
  await open(page, tenantPath(tenant.slug));
  await waitForPath(page, tenantPath(tenant.slug, 'login'));
  assert.equal(pathOf(page), tenantPath(tenant.slug, 'login'));
});
