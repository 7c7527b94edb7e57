// Issue 12 (E3): staff write a quote in the back office; the contact on a
// phone reads it, signs in the box and accepts; the work order it became
// waits on the dispatch board; a declined quote shows its reason. The PDF's
// text is read back. Every page: screenshot and axe-core.
import assert from 'node:assert/strict';

import { createCustomer, createTenant } from '../lib/api.js';
import { DESKTOP, PHONE, e2e } from '../lib/browser.js';
import { CONTACT_PASSWORD, contactWithPassword } from '../lib/contacts.js';
import { logIn, open, submit, tenantPath, waitForPath } from '../lib/pages.js';

const PASSWORD = CONTACT_PASSWORD;

async function sign(page) {
  const canvas = page.locator('#signature-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  assert.ok(box, 'the signature pad is not shown');
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.7);
  await page.mouse.down();
  for (const [x, y] of [[0.3, 0.3], [0.5, 0.75], [0.7, 0.3], [0.9, 0.6]]) {
    await page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 5 });
  }
  await page.mouse.up();
  assert.match(await page.locator('#signature-data').inputValue(), /^data:image\/png;base64,./);
}

e2e('staff send a quote; the contact signs it on a phone and it waits on the board', async (session) => {
  const tenant = await createTenant('quote');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jean Dupont', language: 'en', localPart: 'jean' },
    portal: true,
  });
  await contactWithPassword(tenant, customer);

  // Staff write it from the site's page; a line with a wrong number is refused and kept.
  const desk = await session.page({ size: DESKTOP });
  await logIn(desk, tenant.slug, tenant.admin.email, tenant.admin.password);
  await open(desk, tenantPath(tenant.slug, `sites/${customer.site.id}`));
  await desk.locator('#site-new-quote').click();
  await desk.locator('#quote-form').waitFor();
  assert.equal(await desk.locator('#quote-site').inputValue(), customer.site.id);
  await desk.locator('#quote-title-field').fill('Cold room repair');
  await desk.locator('#line-1-description').fill('Condenser fan motor');
  await desk.locator('#line-1-quantity').fill('2');
  await desk.locator('#line-1-unit_price').fill('19,99');
  await desk.locator('#line-1-tax_rate').fill('20');
  await desk.locator('#line-2-description').fill('Labour (hours)');
  await desk.locator('#line-2-quantity').fill('one and a half');
  await desk.locator('#line-2-unit_price').fill('45');
  await desk.locator('#line-2-tax_rate').fill('5.5');
  await submit(desk, '#quote-form', { allowError: true });
  assert.match(await desk.locator('#form-error').innerText(), /2/);
  assert.equal(await desk.locator('#line-1-unit_price').inputValue(), '19,99');
  await desk.locator('#line-2-quantity').fill('1.5');
  await session.visit(desk, 'quote-form');
  await submit(desk, '#quote-form');
  await desk.locator('#quote-title').waitFor();
  assert.equal(await desk.locator('#priced-total').innerText(), '119.19 EUR');
  assert.equal(await desk.locator('#accept-form').count(), 0, 'staff do not sign for the customer');
  await session.visit(desk, 'quote-sent');
  const quoteUrl = desk.url();

  // The contact, on a phone: the quote, its PDF, then signed and accepted.
  const phone = await session.page({ size: PHONE });
  await logIn(phone, tenant.slug, customer.contact.email, PASSWORD);
  await phone.locator('nav a', { hasText: 'Quotes' }).click();
  await waitForPath(phone, tenantPath(tenant.slug, 'quotes'));
  await session.visit(phone, 'quotes');
  await phone.locator('#quote-list a', { hasText: 'Cold room repair' }).click();
  await phone.locator('#quote-title').waitFor();
  assert.equal((await phone.locator('#quote-status').innerText()).trim(), 'To decide');
  const lines = await phone.locator('#priced-lines').innerText();
  assert.ok(lines.includes('Condenser fan motor') && lines.includes('Labour (hours)'), lines);
  const pdf = await phone.request.get(await phone.locator('#quote-pdf').getAttribute('href'));
  assert.equal(pdf.headers()['content-type'], 'application/pdf');
  assert.ok((await pdf.body()).subarray(0, 5).toString() === '%PDF-', 'a PDF');
  // Read in the page before deciding: the PDF shown in a frame of the portal.
  await phone.locator('#quote-preview-box summary').click();
  await phone.locator('#quote-preview').waitFor();
  const shown = await phone.request.get(await phone.locator('#quote-preview').getAttribute('src'));
  assert.equal(shown.headers()['content-type'], 'application/pdf');
  assert.match(shown.headers()['content-disposition'], /^inline/);
  await session.visit(phone, 'quote-to-sign');

  // Not sent without a drawing.
  await phone.locator('#signer-name').fill('Jean Dupont');
  await phone.locator('#accept-form button[type=submit]').click();
  await phone.locator('#signature-missing').waitFor();
  await sign(phone);
  await session.visit(phone, 'quote-signed');
  await submit(phone, '#accept-form');
  await phone.locator('.flash').waitFor();
  assert.equal((await phone.locator('#quote-status').innerText()).trim(), 'Accepted');
  assert.match(await phone.locator('#quote-decision').innerText(), /Jean Dupont/);
  assert.equal(await phone.locator('#accept-form').count(), 0);
  await session.visit(phone, 'quote-accepted');
  const quoteId = quoteUrl.split('/').pop();
  const accepted = await tenant.get(`/quotes/${quoteId}`);
  assert.equal(accepted.decision.by, 'Jean Dupont');

  // Its work order waits on the board, and the quote links to it.
  let workOrderId = null;
  for (let i = 0; i < 60 && !workOrderId; i += 1) {
    workOrderId = (await tenant.get(`/quotes/${quoteId}`)).work_order_id;
    if (!workOrderId) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(workOrderId, 'the accepted quote never became a work order');
  await open(desk, tenantPath(tenant.slug, 'board'));
  await desk.locator(`#wo-${workOrderId}`, { hasText: 'Cold room repair' }).waitFor();
  await open(desk, quoteUrl);
  await desk.locator('#quote-work-order').waitFor();
  await session.visit(desk, 'quote-accepted-staff');

  // The admin bills it: a draft of the quote's lines, then final and numbered.
  await submit(desk, '#invoice-quote-form');
  await desk.locator('#finalize-form').waitFor();
  assert.equal(await desk.locator('#priced-total').innerText(), '119.19 EUR');
  await session.visit(desk, 'invoice-draft');
  await submit(desk, '#finalize-form');
  await desk.locator('#paid-form').waitFor();
  const number = (await desk.locator('#invoice-title').innerText()).split(' ')[0];
  assert.match(number, /^INV-\d{4}-0001$/);

  // Work without a quote is billed from the site's page: a draft of typed lines.
  await open(desk, tenantPath(tenant.slug, `sites/${customer.site.id}`));
  await desk.locator('#site-new-invoice').click();
  await desk.locator('#quote-form').waitFor();
  await desk.locator('#quote-title-field').fill('Call-out, Sunday');
  await desk.locator('#line-1-description').fill('Emergency call-out');
  await desk.locator('#line-1-quantity').fill('1');
  await desk.locator('#line-1-unit_price').fill('95');
  await desk.locator('#line-1-tax_rate').fill('20');
  await desk.locator('#invoice-days').fill('14');
  await session.visit(desk, 'invoice-new');
  await submit(desk, '#quote-form');
  await desk.locator('#finalize-form').waitFor();
  assert.equal(await desk.locator('#priced-total').innerText(), '114.00 EUR');

  // The contact finds it from the site's page, with its PDF.
  await open(phone, tenantPath(tenant.slug, `sites/${customer.site.id}`));
  await phone.locator('#site-invoices a', { hasText: number }).click();
  await phone.locator('#invoice-pdf').waitFor();
  assert.equal((await phone.locator('#invoice-status').innerText()).trim(), 'To pay');
  assert.equal(await phone.locator('#paid-form').count(), 0, 'only admins record payments');
  await session.visit(phone, 'invoice-contact');

  // Every paper in one place: grouped by kind, filtered, searched.
  await phone.locator('nav a', { hasText: 'Documents' }).click();
  await waitForPath(phone, tenantPath(tenant.slug, 'documents'));
  assert.match(await phone.locator('#group-quote').innerText(), /Quote/);
  assert.match(await phone.locator('#group-invoice').innerText(), /Invoice/);
  await session.visit(phone, 'documents');
  await phone.locator('#documents-kind').selectOption('invoice');
  await phone.locator('#documents-q').fill('COLD room');
  await Promise.all([phone.waitForURL(/q=COLD/), phone.locator('#documents-filter button').click()]);
  assert.equal(await phone.locator('#group-quote').count(), 0, 'only invoices');
  assert.match(await phone.locator('#group-invoice + ul').innerText(), /Cold room repair/);
  const csv = await phone.request.get(await phone.locator('#documents-csv').getAttribute('href'));
  const rows = (await csv.text()).trim().split('\n');
  assert.equal(rows.length, 2, 'the header and the one invoice the filter shows');
  assert.match(rows[1], /INV-\d{4}-0001/);
  await phone.locator('#documents-q').fill('boiler');
  await Promise.all([phone.waitForURL(/q=boiler/), phone.locator('#documents-filter button').click()]);
  await phone.locator('#documents-none').waitFor();
  await session.visit(phone, 'documents-none');
});

e2e('a declined quote shows its reason', async (session) => {
  const tenant = await createTenant('decline');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Ana García', language: 'es', localPart: 'ana' },
    portal: true,
  });
  await contactWithPassword(tenant, customer);
  const due = new Date(Date.now() + 14 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  const quote = await tenant.post('/quotes', {
    customer_id: customer.id, site_id: customer.site.id, title: 'Limpieza de canalones', valid_until: due,
    lines: [{ description: 'Limpieza', quantity: 1, unit_price: 120, tax_rate: 21 }],
  });
  const page = await session.page({ size: PHONE });
  await logIn(page, tenant.slug, customer.contact.email, PASSWORD);
  await open(page, tenantPath(tenant.slug, `quotes/${quote.id}`));
  await page.locator('#decline-form').evaluate((form) => { form.closest('details').open = true; });
  await page.locator('#decline-reason').fill('Demasiado caro este año');
  await session.visit(page, 'quote-declining');
  await submit(page, '#decline-form');
  await page.locator('.flash').waitFor();
  assert.equal((await page.locator('#quote-status').innerText()).trim(), 'Rechazado');
  assert.equal((await page.locator('#quote-decline-reason').innerText()).trim(), 'Demasiado caro este año');
  await session.visit(page, 'quote-declined');
  assert.equal((await tenant.get(`/quotes/${quote.id}`)).status, 'declined');
});
