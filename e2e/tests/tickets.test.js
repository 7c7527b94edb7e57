// Issue 4: the whole life of a ticket in two browsers. A contact (phone)
// creates a request with two attachments and sees it listed; a dispatcher
// (desktop) assigns it with a due date; the contact's open page shows it
// live (no reload); they exchange comments (an internal note never reaches
// the contact); the contact closes it. Every page: screenshot and axe-core.
import assert from 'node:assert/strict';

import { call, createCustomer, createTenant } from '../lib/api.js';
import { DESKTOP, PHONE, e2e } from '../lib/browser.js';
import { waitForLink } from '../lib/mail.js';
import { logIn, open, submit, tenantPath, waitForPath } from '../lib/pages.js';

const PASSWORD = 'a long enough contact password';
const STAFF_PASSWORD = 'a long enough staff password';
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
  'hex',
);

/** A date input's value `days` from now. */
function inDays(days) {
  return new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/** Marks the document: still there later means the page was not reloaded. */
async function markDocument(page) {
  await page.evaluate(() => { window.__e2eSameDocument = true; });
}

async function assertSameDocument(page, what) {
  assert.equal(await page.evaluate(() => window.__e2eSameDocument === true), true, `the contact's page reloaded for ${what}`);
}

e2e('a ticket from the first words to closing, live on the contact\'s open page', async (session) => {
  const tenant = await createTenant('tix');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jean Dupont', language: 'en', localPart: 'jean' },
    portal: true,
  });
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  await call('POST', '/auth/invitations/accept', {
    body: { token: new URL(link).searchParams.get('token'), password: PASSWORD },
  });
  const dispatcher = { email: `dana@${tenant.slug}.example`, name: 'Dana Dispatcher' };
  const member = await tenant.post('/staff', {
    email: dispatcher.email, name: dispatcher.name, roles: ['dispatcher'], password: STAFF_PASSWORD,
  });

  // The contact: the empty list, then the form (one site: preselected).
  const page = await session.page({ size: PHONE });
  await logIn(page, tenant.slug, customer.contact.email, PASSWORD);
  await waitForPath(page, tenantPath(tenant.slug));
  await open(page, tenantPath(tenant.slug, 'requests'));
  await page.locator('#requests-none').waitFor();
  await session.visit(page, 'requests-empty');
  await page.locator('#new-request').click();
  await waitForPath(page, tenantPath(tenant.slug, 'requests/new'));
  const form = page.locator('#request-form');
  await form.waitFor();
  assert.equal(await form.locator('[name=site_id]').inputValue(), customer.site.id, 'the only site is not preselected');
  assert.equal(await form.locator('[name=contact_email]').inputValue(), customer.contact.email);
  assert.match(await form.locator('[name=site_address]').inputValue(), /Annecy/);
  await session.visit(page, 'request-form');

  // A refused type is said before anything is sent.
  const files = form.locator('input[type=file]');
  await files.setInputFiles([{ name: 'tool.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') }]);
  await page.locator('#upload-progress .error').waitFor();
  assert.match(await page.locator('#upload-progress').innerText(), /tool\.exe/);
  await session.visit(page, 'request-form-type-refused');

  await form.locator('[name=title]').fill('Oven door does not close');
  await form.locator('[name=description]').fill('The seal is torn; the oven loses heat.');
  await form.locator('[name=priority]').selectOption('high');
  await files.setInputFiles([
    { name: 'door.png', mimeType: 'image/png', buffer: PNG },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('seal part 4711') },
  ]);
  assert.equal(await page.locator('#upload-progress li').count(), 2);
  assert.equal(await page.locator('#upload-progress .error').count(), 0);
  await form.locator('button[type=submit]').click();
  // The script sends the request, then each file with a progress bar, then shows the list.
  await page.waitForURL((url) => url.searchParams.has('created'), { timeout: 20_000 });
  await page.locator('#request-created').waitFor();
  const firstRow = page.locator('#requests-table tbody tr').first();
  assert.match(await firstRow.innerText(), /Oven door does not close/);
  assert.match(await firstRow.innerText(), /Submitted/);
  await session.visit(page, 'request-created');

  await firstRow.locator('a').first().click();
  await page.locator('#live').waitFor();
  const detailPath = new URL(page.url()).pathname;
  assert.equal(await page.locator('#file-list li').count(), 2, 'the two attachments are not listed');
  await page.locator('#live[data-connected=true]').waitFor();
  await session.visit(page, 'request-detail');
  await markDocument(page);

  // The dispatcher: the "to assign" inbox, then the request.
  const staffPage = await session.page({ size: DESKTOP });
  await logIn(staffPage, tenant.slug, dispatcher.email, STAFF_PASSWORD);
  await waitForPath(staffPage, tenantPath(tenant.slug, 'staff/customers'));
  await open(staffPage, `${tenantPath(tenant.slug, 'staff/requests')}?unassigned=true`);
  await staffPage.locator('#requests-table').waitFor();
  assert.match(await staffPage.locator('#requests-table tbody tr').first().innerText(), /Oven door does not close/);
  assert.equal(await staffPage.locator('#status-counts [data-status=submitted]').innerText(), '1');
  await session.visit(staffPage, 'staff-inbox');
  await staffPage.locator('#requests-table tbody tr a').first().click();
  await staffPage.locator('#assign-form').waitFor();
  await staffPage.locator('#live[data-connected=true]').waitFor();
  await session.visit(staffPage, 'staff-request');

  const due = inDays(10);
  await staffPage.locator('#assign-form [name=assignee_id]').selectOption(member.id);
  await staffPage.locator('#assign-form [name=due_date]').fill(due);
  await submit(staffPage, '#assign-form');
  await staffPage.locator('#assign-form').waitFor();
  assert.match(await staffPage.locator('#assignee-value').innerText(), /Dana Dispatcher/);
  await session.visit(staffPage, 'staff-assigned');

  // The contact's page, never reloaded, shows who handles it and by when.
  await page.locator('#assignee-value', { hasText: 'Dana Dispatcher' }).waitFor({ timeout: 15_000 });
  await page.locator('#due-value', { hasText: due }).waitFor();
  await assertSameDocument(page, 'the assignment');
  await session.visit(page, 'request-assigned-live');

  // An internal note, then a public comment: only the second reaches the contact.
  await staffPage.locator('#comment-form [name=body]').fill('Internal: check the warranty first');
  await staffPage.locator('#comment-form [name=internal]').check();
  await submit(staffPage, '#comment-form');
  await staffPage.locator('.comment.internal').waitFor();
  await staffPage.locator('#comment-form [name=body]').fill('We order the seal today.');
  await submit(staffPage, '#comment-form');
  await staffPage.locator('.comment', { hasText: 'We order the seal today.' }).waitFor();
  await session.visit(staffPage, 'staff-comments');

  await page.locator('.comment', { hasText: 'We order the seal today.' }).waitFor({ timeout: 15_000 });
  await assertSameDocument(page, 'the comment');
  assert.ok(!(await page.locator('#conversation').innerText()).includes('warranty'), 'the contact sees an internal note');
  await session.visit(page, 'request-comment-live');

  // The contact answers (a normal form post); the dispatcher's page shows it live.
  await staffPage.locator('#live[data-connected=true]').waitFor();
  await markDocument(staffPage);
  await page.locator('#comment-form [name=body]').fill('Thank you, the kitchen is open from 7.');
  await submit(page, '#comment-form');
  await page.locator('.comment', { hasText: 'the kitchen is open from 7' }).waitFor();
  await staffPage.locator('.comment', { hasText: 'the kitchen is open from 7' }).waitFor({ timeout: 15_000 });
  assert.equal(await staffPage.evaluate(() => window.__e2eSameDocument === true), true, 'the staff page reloaded');
  await session.visit(staffPage, 'staff-reply-live');

  // The contact closes it: the conversation ends on both pages.
  await page.locator('#live[data-connected=true]').waitFor();
  await submit(page, '#close-form');
  await waitForPath(page, detailPath);
  await page.locator('#closed-note').waitFor();
  assert.equal(await page.locator('#status-value').getAttribute('data-status'), 'closed');
  assert.equal(await page.locator('#comment-form').count(), 0);
  await session.visit(page, 'request-closed');
  await staffPage.locator('#status-value[data-status=closed]').waitFor({ timeout: 15_000 });
  await session.visit(staffPage, 'staff-closed-live');

  // The list says so too.
  await open(page, tenantPath(tenant.slug, 'requests'));
  assert.match(await page.locator('#requests-table tbody tr').first().innerText(), /Closed/);
  await session.visit(page, 'requests-closed');
}, { timeout: 120_000 });

e2e('an admin sets request categories and required fields; the French form follows them; search finds the request', async (session) => {
  const tenant = await createTenant('tixcat');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Marie Curie', language: 'fr', localPart: 'marie' },
    portal: true,
  });
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  await call('POST', '/auth/invitations/accept', {
    body: { token: new URL(link).searchParams.get('token'), password: PASSWORD },
  });

  const admin = await session.page({ size: DESKTOP });
  await logIn(admin, tenant.slug, tenant.admin.email, tenant.admin.password);
  await waitForPath(admin, tenantPath(tenant.slug, 'staff/customers'));
  await open(admin, tenantPath(tenant.slug, 'staff/request-settings'));
  await admin.locator('#request-settings-form').waitFor();
  await admin.locator('#request-settings-form [name=categories]').fill('Réparation\nInstallation');
  await admin.locator('#required-category').check();
  await submit(admin, '#request-settings-form');
  await admin.locator('.flash').waitFor();
  assert.equal(await admin.locator('#required-category').isChecked(), true);
  await session.visit(admin, 'request-settings');

  const page = await session.page({ size: PHONE });
  await logIn(page, tenant.slug, customer.contact.email, PASSWORD);
  await waitForPath(page, tenantPath(tenant.slug));
  // From the site on the home page (C7): the site is preselected.
  await page.locator('a.site-request').first().click();
  await waitForPath(page, tenantPath(tenant.slug, 'requests/new'));
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  const form = page.locator('#request-form');
  assert.equal(await form.locator('[name=site_id]').inputValue(), customer.site.id);
  assert.equal(await form.locator('select[name=category]').getAttribute('required'), '');
  await session.visit(page, 'request-form-fr');
  await form.locator('[name=title]').fill('Fuite sous l’évier');
  await form.locator('[name=description]').fill('De l’eau coule sous l’évier de la cuisine.');
  await form.locator('[name=category]').selectOption('Réparation');
  await form.locator('button[type=submit]').click();
  await page.waitForURL((url) => url.searchParams.has('created'));
  await page.locator('#request-created').waitFor();
  assert.match(await page.locator('#requests-table tbody tr').first().innerText(), /Réparation/);

  // Full-text search and a status filter, then the downloads of what is shown.
  await page.locator('#request-filter [name=q]').fill('évier');
  await Promise.all([
    page.waitForURL((url) => url.searchParams.get('q') === 'évier'),
    page.locator('#request-filter button[type=submit]').click(),
  ]);
  assert.match(await page.locator('#requests-table').innerText(), /Fuite sous/);
  await session.visit(page, 'requests-search-fr');
  const csvHref = await page.locator('#export-csv').getAttribute('href');
  assert.match(csvHref, /export\.csv\?q=/);
  const csv = await page.request.get(csvHref);
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /Fuite sous/);
  await page.locator('#request-filter [name=status]').selectOption('closed');
  await Promise.all([
    page.waitForURL((url) => url.searchParams.get('status') === 'closed'),
    page.locator('#request-filter button[type=submit]').click(),
  ]);
  await page.locator('#requests-none').waitFor();
});
