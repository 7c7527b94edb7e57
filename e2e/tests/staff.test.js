// Issue 3: a staff member enables the portal and copies a secure link that
// opens the portal in a fresh browser context, then revokes it. Staff pages
// at desktop size, the link's pages at phone size.
import assert from 'node:assert/strict';

import { createCustomer, createTenant } from '../lib/api.js';
import { DESKTOP, PHONE, e2e } from '../lib/browser.js';
import { logIn, open, submit, tenantPath, waitForPath } from '../lib/pages.js';

/** A value for a date or date-time input a week from now, in its own format. */
function nextWeek(inputType) {
  const iso = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
  return inputType === 'date' ? iso.slice(0, 10) : iso.slice(0, 16);
}

e2e('staff enables the portal and copies a secure link that opens the portal in a fresh context', async (session) => {
  const tenant = await createTenant('link');
  const customer = await createCustomer(tenant, { portal: false });

  const context = await session.context({ size: DESKTOP, clipboard: true });
  const page = await context.newPage();
  await open(page, tenantPath(tenant.slug, 'login'));
  await page.locator('#login-form').waitFor();
  await session.visit(page, 'login');
  await logIn(page, tenant.slug, tenant.admin.email, tenant.admin.password);
  await waitForPath(page, tenantPath(tenant.slug, 'staff/customers'));
  const list = await page.locator('main').innerText();
  assert.ok(list.includes(customer.name), `the customers list does not show ${customer.name}`);
  await session.visit(page, 'customers');

  const detail = tenantPath(tenant.slug, `staff/customers/${customer.id}`);
  await open(page, detail);
  const enabled = page.locator('#portal-form [name=enabled]');
  await enabled.waitFor();
  assert.equal(await enabled.isChecked(), false, 'the portal is on before the staff member enabled it');
  await session.visit(page, 'customer-detail');

  await enabled.check();
  await submit(page, '#portal-form');
  await page.locator('#portal-form [name=enabled]').waitFor();
  // Whatever page the form answers with, the customer's page now says "on".
  if (new URL(page.url()).pathname !== detail) await open(page, detail);
  assert.equal(await page.locator('#portal-form [name=enabled]').isChecked(), true, 'the portal is still off after enabling it');

  // A link for the whole customer: no site chosen, a week's validity.
  const form = page.locator('#secure-link-form');
  const site = form.locator('[name=site_id]');
  if ((await site.count()) > 0 && (await site.evaluate((el) => el.tagName)) === 'SELECT') {
    await site.selectOption({ index: 0 });
    assert.equal(await site.inputValue(), '', 'the first choice of site_id is not "whole customer"');
  }
  const expires = form.locator('[name=expires_at]');
  if ((await expires.count()) > 0 && !(await expires.inputValue())) {
    await expires.fill(nextWeek(await expires.getAttribute('type')));
  }
  const label = form.locator('[name=label]');
  if ((await label.count()) > 0) await label.fill('E2E whole customer');
  await submit(page, '#secure-link-form');

  const urlField = page.locator('#secure-link-url');
  await urlField.waitFor();
  const secureLink = await urlField.inputValue();
  assert.match(secureLink, /\/link\?token=./, `#secure-link-url holds no link: ${secureLink}`);
  assert.equal(await urlField.getAttribute('readonly') !== null, true, '#secure-link-url is not readonly');
  await session.visit(page, 'secure-link-created');

  await page.locator('#copy-secure-link').click();
  await page.waitForFunction(
    async (expected) => (await navigator.clipboard.readText()) === expected,
    secureLink,
    { timeout: 5_000 },
  ).catch(async () => {
    const held = await page.evaluate(() => navigator.clipboard.readText());
    assert.fail(`after #copy-secure-link the clipboard holds ${JSON.stringify(held)}, not the link`);
  });

  await open(page, tenantPath(tenant.slug, 'staff/audit'));
  await page.locator('main').waitFor();
  await session.visit(page, 'audit');

  // Someone who got the link: a new context, no cookies, at phone size.
  const stranger = await session.page({ size: PHONE });
  await open(stranger, secureLink);
  // The link asks first (a GET opens nothing), then opens on a click.
  await stranger.locator('#secure-link-open-form').waitFor();
  await session.visit(stranger, 'secure-link-confirm');
  await submit(stranger, '#secure-link-open-form');
  await waitForPath(stranger, tenantPath(tenant.slug));
  const card = stranger.locator('section#customer-card');
  await card.waitFor();
  const text = await card.innerText();
  assert.ok(text.includes(customer.number), `#customer-card lacks the number ${customer.number}: ${text}`);
  assert.ok(text.includes(customer.name), `#customer-card lacks the name ${customer.name}: ${text}`);
  await session.visit(stranger, 'secure-link-portal-home');

  // A link session cannot change credentials (A3): settings without a password form.
  await open(stranger, tenantPath(tenant.slug, 'settings'));
  await stranger.locator('#logout-everywhere-form').waitFor();
  assert.equal(await stranger.locator('#password-form').count(), 0, 'a secure-link session is offered #password-form');
  await session.visit(stranger, 'secure-link-settings');

  // Revoked by staff, the same link opens nothing for the next person.
  await open(page, detail);
  await submit(page, '.revoke-link-form');
  assert.equal(await page.locator('.revoke-link-form').count(), 0, 'the link still has a revoke button after revoking it');
  await session.visit(page, 'secure-link-revoked');
  const late = await session.page({ size: PHONE });
  await late.goto(secureLink);
  await late.waitForLoadState('load');
  assert.equal(await late.locator('section#customer-card').count(), 0, `a revoked link still opened the portal (${late.url()})`);
  await session.visit(late, 'revoked-link-opened');
});

/** A date `days` from today, as a date input takes it. */
function inDays(days) {
  return new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

e2e("staff set a contact's access window and sites; a technician reads the customer without changing it", async (session) => {
  const tenant = await createTenant('scope');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Marta Nowak', language: 'pl', localPart: 'marta' },
    portal: true,
  });
  const page = await session.page({ size: DESKTOP });
  await logIn(page, tenant.slug, tenant.admin.email, tenant.admin.password);
  await waitForPath(page, tenantPath(tenant.slug, 'staff/customers'));

  const contactPage = tenantPath(tenant.slug, `staff/contacts/${customer.contact.id}`);
  await open(page, contactPage);
  await page.locator('#contact-form').waitFor();
  await session.visit(page, 'contact-detail');

  // An end before the start is refused in words, and nothing is saved.
  await page.locator('#access-from').fill(inDays(10));
  await page.locator('#access-until').fill(inDays(3));
  const refused = await submit(page, '#contact-form', { allowError: true });
  assert.equal(refused.status(), 400, 'an access window ending before it starts was accepted');
  const error = await page.locator('#form-error').innerText();
  assert.equal(error, 'The start of the access must come before its end.');
  await session.visit(page, 'contact-window-refused');

  await open(page, contactPage);
  await page.locator('#access-from').fill('');
  await page.locator('#access-until').fill(inDays(30));
  await page.locator(`#site-${customer.site.id}`).check();
  await submit(page, '#contact-form');
  await open(page, contactPage);
  assert.equal(await page.locator('#access-until').inputValue(), inDays(30), 'the access window was not saved');
  assert.equal(await page.locator(`#site-${customer.site.id}`).isChecked(), true, 'the site scope was not saved');
  // The customer's page lists the contact with that site and window.
  await open(page, tenantPath(tenant.slug, `staff/customers/${customer.id}`));
  const row = await page.locator('#contacts-table tbody tr').first().innerText();
  assert.ok(row.includes('Kitchen') && row.includes(inDays(30)), `the contacts table shows ${row}`);

  await open(page, tenantPath(tenant.slug, 'staff/settings'));
  await page.locator('main form').first().waitFor();
  await session.visit(page, 'tenant-settings');

  // A technician, on a phone: reads the customer and the contact, is offered no change.
  const tech = { email: `tech@${tenant.slug}.example`, password: 'technician password' };
  await tenant.post('/staff', { email: tech.email, name: 'Tom Tech', roles: ['technician'], password: tech.password });
  const techPage = await session.page({ size: PHONE });
  await logIn(techPage, tenant.slug, tech.email, tech.password);
  await waitForPath(techPage, tenantPath(tenant.slug, 'staff/customers'));
  await open(techPage, tenantPath(tenant.slug, `staff/customers/${customer.id}`));
  await techPage.locator('#portal-state').waitFor();
  for (const form of ['#portal-form', '#secure-link-form', '.invite-form']) {
    assert.equal(await techPage.locator(form).count(), 0, `a technician is offered ${form}`);
  }
  await session.visit(techPage, 'customer-detail-technician');
  await open(techPage, contactPage);
  await techPage.locator('#contact-form').waitFor();
  assert.equal(await techPage.locator('#contact-form button[type=submit]').count(), 0, 'a technician may save a contact');
  assert.equal(await techPage.locator('#access-until').isDisabled(), true, 'a technician may edit the access window');
  await session.visit(techPage, 'contact-detail-technician');
});
