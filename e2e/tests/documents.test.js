// Issue 12 (E1, E2, E7): staff publish a certificate from an equipment's
// page (a file that lies about its type is refused first), replace it with
// a newer version; the contact on a phone finds it from the site's page,
// sees it previewed in the page and downloads the earlier version.
// Every page: screenshot and axe-core.
import assert from 'node:assert/strict';

import { createCustomer, createTenant } from '../lib/api.js';
import { DESKTOP, PHONE, e2e } from '../lib/browser.js';
import { CONTACT_PASSWORD, contactWithPassword } from '../lib/contacts.js';
import { logIn, open, submit, tenantPath } from '../lib/pages.js';

/** A one-page PDF saying `text`, with a correct cross-reference table. */
function pdf(text) {
  const stream = `BT /F1 24 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = out.length;
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const at of offsets) out += `${String(at).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

e2e('staff publish a certificate for an equipment; the contact previews it on a phone', async (session) => {
  const tenant = await createTenant('docs');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jean Dupont', language: 'en', localPart: 'jean' },
    portal: true,
  });
  await contactWithPassword(tenant, customer);
  const boiler = await tenant.post(`/sites/${customer.site.id}/equipment`, {
    kind: 'Boiler', name: 'Main boiler', serial_number: 'DOC-1',
  });

  // From the equipment's page; the form names what it is for.
  const desk = await session.page({ size: DESKTOP });
  await logIn(desk, tenant.slug, tenant.admin.email, tenant.admin.password);
  await open(desk, tenantPath(tenant.slug, `equipment/${boiler.id}`));
  await desk.locator('#equipment-new-document').click();
  await desk.locator('#document-form').waitFor();
  assert.match(await desk.locator('main').innerText(), /Kitchen · Main boiler/);
  await desk.locator('#document-kind').selectOption('certificate');
  await desk.locator('#document-title').fill('Gas safety certificate 2027');
  // A program named like a PDF is refused, and nothing is published.
  await desk.locator('#document-file').setInputFiles({
    name: 'certificate.pdf', mimeType: 'application/pdf', buffer: Buffer.from('MZ\x90\x00 a program'),
  });
  await session.visit(desk, 'document-new');
  await submit(desk, '#document-form', { allowError: true });
  assert.match(await desk.locator('#form-error').innerText(), /certificate\.pdf/);
  assert.equal(await desk.locator('#document-title').inputValue(), 'Gas safety certificate 2027');
  const none = await tenant.get(`/documents?equipment_id=${boiler.id}`);
  assert.equal(none.items.length, 0, 'a refused file is not published');

  await desk.locator('#document-file').setInputFiles({
    name: 'gas-2027.pdf', mimeType: 'application/pdf', buffer: pdf('Gas safety 2027'),
  });
  await submit(desk, '#document-form');
  await desk.locator('#document-preview').waitFor();
  assert.equal(await desk.locator('#document-title').innerText(), 'Gas safety certificate 2027');
  await session.visit(desk, 'document-staff');

  // A corrected file replaces it; the first stays listed.
  await desk.locator('#document-version-file').setInputFiles({
    name: 'gas-2027-corrected.pdf', mimeType: 'application/pdf', buffer: pdf('Gas safety 2027 corrected'),
  });
  await submit(desk, '#document-version-form');
  await desk.locator('.flash').waitFor();
  const versions = await desk.locator('#document-versions li').allInnerTexts();
  assert.equal(versions.length, 2);
  assert.match(versions[0], /Version 2 · gas-2027-corrected\.pdf/);
  assert.match(versions[1], /Version 1 · gas-2027\.pdf/);
  await session.visit(desk, 'document-versions');

  // The contact, on a phone, from the site's page.
  const phone = await session.page({ size: PHONE });
  await logIn(phone, tenant.slug, customer.contact.email, CONTACT_PASSWORD);
  await open(phone, tenantPath(tenant.slug, `sites/${customer.site.id}`));
  await phone.locator('#site-documents a', { hasText: 'Gas safety certificate 2027' }).click();
  await phone.locator('#document-preview').waitFor();
  assert.equal(await phone.locator('#document-version-form').count(), 0, 'contacts do not replace files');
  assert.equal(await phone.locator('#document-equipment').innerText(), 'Main boiler');
  // The preview frame shows the current file, framed by the portal only.
  const shown = await phone.request.get(await phone.locator('#document-preview').getAttribute('src'));
  assert.equal(shown.status(), 200);
  assert.equal(shown.headers()['content-type'], 'application/pdf');
  assert.match(shown.headers()['content-disposition'], /^inline/);
  assert.equal(shown.headers()['x-frame-options'], 'SAMEORIGIN');
  assert.match(shown.headers()['content-security-policy'], /frame-ancestors 'self'/);
  assert.ok((await shown.body()).includes('Gas safety 2027 corrected'), 'the current version is shown');
  await session.visit(phone, 'document-contact');
  const first = await phone.request.get(
    await phone.locator('#document-versions a', { hasText: 'Version 1' }).getAttribute('href'),
  );
  assert.match(first.headers()['content-disposition'], /^attachment/);
  const body = (await first.body()).toString('latin1');
  assert.ok(body.includes('(Gas safety 2027)'), 'version 1 is the first file');
});
