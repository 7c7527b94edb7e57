// Issue 11: a contact on a phone finds their site on the map, opens it, sees
// its equipment by inspection status, opens an equipment (status, history)
// and reports a problem with it in one tap: the request names the equipment.
// Every page: screenshot and axe-core.
import assert from 'node:assert/strict';

import { call, createCustomer, createTenant } from '../lib/api.js';
import { DESKTOP, PHONE, e2e } from '../lib/browser.js';
import { waitForLink } from '../lib/mail.js';
import { logIn, open, submit, tenantPath, waitForPath } from '../lib/pages.js';

const PASSWORD = 'a long enough contact password';

e2e('a contact opens the map, a site, an equipment and raises a request for it', async (session) => {
  const tenant = await createTenant('map');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jean Dupont', language: 'en', localPart: 'jean' },
    portal: true,
  });
  await tenant.put('/equipment-settings', {
    fields: [{ key: 'refrigerant', label: 'Refrigerant' }],
    checklists: [],
  });
  const fridge = await tenant.post(`/sites/${customer.site.id}/equipment`, {
    kind: 'Refrigeration', name: 'Cold room', serial_number: `CR-${tenant.slug}`,
    location: 'Back of the kitchen', custom_fields: { refrigerant: 'R452A' },
  });
  await tenant.post(`/sites/${customer.site.id}/equipment`, { kind: 'Oven', name: 'Combi oven' });
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  await call('POST', '/auth/invitations/accept', {
    body: { token: new URL(link).searchParams.get('token'), password: PASSWORD },
  });

  // A scanned label: the equipment's page asks to log in, then comes back.
  const page = await session.page({ size: PHONE });
  await open(page, tenantPath(tenant.slug, `equipment/${fridge.id}`));
  await page.locator('#login-form').waitFor();
  await page.locator('#login-form [name=email]').fill(customer.contact.email);
  await page.locator('#login-form [name=password]').fill(PASSWORD);
  await submit(page, '#login-form');
  await waitForPath(page, tenantPath(tenant.slug, `equipment/${fridge.id}`));
  await page.locator('#equipment-name').waitFor();
  await open(page, tenantPath(tenant.slug, 'sites'));
  // The map draws the site's marker; without a tile server it says so and
  // shows the marker on a plain background.
  await page.locator('#sites-map .leaflet-marker-icon').first().waitFor();
  assert.equal(await page.locator('#sites-map .leaflet-marker-icon').count(), 1);
  await page.locator('#sites-map .map-notice').waitFor();
  await session.visit(page, 'sites-map');

  await page.locator('#site-list a', { hasText: 'Kitchen' }).click();
  await page.locator('#site-name').waitFor();
  const list = await page.locator('#equipment-list').innerText();
  assert.ok(list.includes('Cold room') && list.includes('Combi oven'), `the site's equipment: ${list}`);
  assert.equal(await page.locator('#count-none').innerText(), '2');
  await session.visit(page, 'site');

  await page.locator('#equipment-list a', { hasText: 'Cold room' }).click();
  await page.locator('#equipment-name').waitFor();
  assert.equal((await page.locator('#equipment-status').innerText()).trim(), 'Never inspected');
  const facts = await page.locator('dl.facts').innerText();
  assert.ok(facts.includes('Refrigerant') && facts.includes('R452A'), `the tenant's field: ${facts}`);
  await session.visit(page, 'equipment');

  await page.locator('#equipment-new-request').click();
  await page.locator('#request-equipment').waitFor();
  assert.equal(await page.locator('#request-equipment').inputValue(), fridge.id);
  await page.locator('[name=title]').fill('Cold room too warm');
  await page.locator('[name=description]').fill('It shows 9 °C since this morning.');
  await session.visit(page, 'request-for-equipment');
  await submit(page, 'form#request-form');
  // The new request opens the contact's list, with it named as just made.
  await page.waitForURL(/\/requests\?created=/);
  const requests = await tenant.get(`/requests?site_id=${customer.site.id}`);
  const made = requests.items.find((r) => r.title === 'Cold room too warm');
  assert.ok(made, 'the request was not made');
  assert.equal(made.equipment_id, fridge.id);
});

e2e('a technician records inspection results on a phone and the site page follows', async (session) => {
  const tenant = await createTenant('insp');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jean Dupont', language: 'en', localPart: 'jean' },
    portal: true,
  });
  await tenant.put('/equipment-settings', {
    fields: [],
    checklists: [{ kind: 'Fire extinguisher', items: ['Seal intact', 'Pressure in the green'] }],
  });
  const add = (name) => tenant.post(`/sites/${customer.site.id}/equipment`, { kind: 'Fire extinguisher', name });
  const hall = await add('Extinguisher, hall');
  const kitchen = await add('Extinguisher, kitchen');
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  const tokens = await call('POST', '/auth/invitations/accept', {
    body: { token: new URL(link).searchParams.get('token'), password: PASSWORD },
  });
  const tech = { email: `tom@${tenant.slug}.example`, password: 'a long enough staff password' };
  const member = await tenant.post('/staff', {
    email: tech.email, name: 'Tom Technician', roles: ['technician'], password: tech.password,
  });
  const request = await call('POST', '/requests', {
    token: tokens.access_token,
    body: { site_id: customer.site.id, title: 'Yearly check', description: 'Extinguishers are due.' },
  });
  await tenant.post(`/requests/${request.id}/accept`, {});
  let workOrder = null;
  for (const deadline = Date.now() + 20_000; !workOrder; ) {
    workOrder = (await tenant.get(`/requests/${request.id}`)).work_order_id;
    assert.ok(workOrder || Date.now() < deadline, 'no work order after 20 s');
    if (!workOrder) await new Promise((resolve) => { setTimeout(resolve, 250); });
  }
  const start = new Date(Date.now() + 5 * 60_000);
  await tenant.post(`/work-orders/${workOrder}/schedule`, {
    technician_ids: [member.id], start: start.toISOString(),
    end: new Date(start.getTime() + 3600_000).toISOString(), force: true,
  });
  const login = await call('POST', '/auth/login', { body: { tenant: tenant.slug, email: tech.email, password: tech.password } });
  await call('POST', `/work-orders/${workOrder}/start`, { token: login.access_token, body: {} });

  const page = await session.page({ size: PHONE });
  await logIn(page, tenant.slug, tech.email, tech.password);
  await open(page, tenantPath(tenant.slug, `work-orders/${workOrder}`));
  await page.locator('#inspection-form').waitFor();
  await session.visit(page, 'inspection-form');
  // A non-conforming result without remarks is refused and nothing is kept.
  await page.locator(`#result-${kitchen.id}-nok`).check();
  await submit(page, '#inspection-form', { allowError: true });
  await page.locator('.error').first().waitFor();
  assert.deepEqual((await tenant.get(`/work-orders/${workOrder}/inspection-results`)).items, []);

  await open(page, tenantPath(tenant.slug, `work-orders/${workOrder}`));
  await page.locator(`#result-${hall.id}-ok`).check();
  await page.locator(`#ok-${hall.id}-1`).check();
  await page.locator(`#ok-${hall.id}-2`).check();
  await page.locator(`#result-${kitchen.id}-nok`).check();
  await page.locator(`#ok-${kitchen.id}-1`).check();
  await page.locator(`#remarks-${kitchen.id}`).fill('Pressure low: to refill.');
  await submit(page, '#inspection-form');
  await page.locator('.flash').waitFor();
  assert.equal(await page.locator(`#result-${kitchen.id}-nok`).isChecked(), true);
  await session.visit(page, 'inspection-recorded');

  // The kitchen extinguisher's printable label: its code links its page.
  await open(page, tenantPath(tenant.slug, `equipment/${kitchen.id}/label`));
  await page.locator('#equipment-label').waitFor();
  assert.ok(await page.locator('#label-qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code did not load');
  const printed = (await page.locator('.label-url').innerText()).trim();
  assert.equal(printed, `${new URL(page.url()).origin}${tenantPath(tenant.slug, `equipment/${kitchen.id}`)}`);
  await session.visit(page, 'equipment-label');

  const contact = await session.page({ size: PHONE });
  await logIn(contact, tenant.slug, customer.contact.email, PASSWORD);
  await open(contact, tenantPath(tenant.slug, `sites/${customer.site.id}`));
  assert.equal(await contact.locator('#count-conforming').innerText(), '1');
  assert.equal(await contact.locator('#count-non-conforming').innerText(), '1');
  await contact.locator('#site-chart').waitFor();
  await session.visit(contact, 'site-after-inspection');
  // One site: the home page leads with its state (B4).
  await open(contact, tenantPath(tenant.slug));
  assert.equal(await contact.locator('#site-dashboard #count-non-conforming').innerText(), '1');
  await session.visit(contact, 'home-site-dashboard');
  const detail = await call('GET', `/equipment/${kitchen.id}`, { token: tokens.access_token });
  assert.equal(detail.last_inspection.result, 'non_conforming');
  assert.deepEqual(detail.inspections[0].checklist, [
    { item: 'Seal intact', ok: true }, { item: 'Pressure in the green', ok: false },
  ]);
});

e2e('staff set up a customer, a site on the map, its equipment and a recurring inspection', async (session) => {
  const tenant = await createTenant('setup');
  await tenant.put('/equipment-settings', { fields: [{ key: 'refrigerant', label: 'Refrigerant' }], checklists: [] });
  const group = await createCustomer(tenant, { contact: { name: 'Léa Moreau', localPart: 'lea' } });
  const page = await session.page({ size: DESKTOP });
  await logIn(page, tenant.slug, tenant.admin.email, tenant.admin.password);
  await open(page, tenantPath(tenant.slug, 'staff/customers'));
  await page.locator('#new-customer-number').fill('C-900');
  await page.locator('#new-customer-name').fill('Brasserie du Port');
  await submit(page, '#customer-form');
  await page.locator('h1', { hasText: 'Brasserie du Port' }).waitFor();

  // The customer renamed; a number taken by another customer is refused and kept.
  const openForm = (id) => page.locator(id).evaluate((form) => { form.closest('details').open = true; });
  await openForm('#customer-form');
  await page.locator('#customer-number').fill(group.number);
  await page.locator('#customer-name').fill('Brasserie du Port SA');
  await submit(page, '#customer-form', { allowError: true });
  assert.ok((await page.locator('#form-error').innerText()).includes(group.number));
  assert.equal(await page.locator('#customer-name').inputValue(), 'Brasserie du Port SA');
  await page.locator('#customer-number').fill('C-900');
  await submit(page, '#customer-form');
  await page.locator('h1', { hasText: 'Brasserie du Port SA' }).waitFor();

  // The group's buyer, already a contact of the hotel, becomes one here too.
  await openForm('#member-form');
  await page.locator('#member-email').fill('nobody@example.com');
  await submit(page, '#member-form', { allowError: true });
  await page.locator('#form-error').waitFor();
  await openForm('#member-form');
  await page.locator('#member-email').fill(group.contact.email);
  await submit(page, '#member-form');
  await page.locator('#contacts-table', { hasText: 'Léa Moreau' }).waitFor();
  await session.visit(page, 'customer-edited');

  // A site: the position typed with a decimal comma; a wrong one is refused and kept.
  await page.locator('#site-form').evaluate((form) => { form.closest('details').open = true; });
  await page.locator('#site-name-field').fill('Quai kitchen');
  await page.locator('#site-latitude').fill('north');
  await page.locator('#site-longitude').fill('4,83');
  await submit(page, '#site-form', { allowError: true });
  await page.locator('#form-error').waitFor();
  assert.equal(await page.locator('#site-name-field').inputValue(), 'Quai kitchen');
  await page.locator('#site-latitude').fill('45,76');
  await page.locator('#site-latitude').press('Tab');
  await page.locator('#position-map .leaflet-marker-icon').waitFor();
  await session.visit(page, 'site-form');
  await submit(page, '#site-form');
  await page.locator('#site-list a', { hasText: 'Quai kitchen' }).click();
  await page.locator('#site-name').waitFor();
  assert.ok((await page.locator('#site-contacts').innerText()).includes('Léa Moreau'), 'the site lists its contacts');

  // Equipment with the tenant's field; a plan for the site.
  await page.locator('#equipment-form').evaluate((form) => { form.closest('details').open = true; });
  await page.locator('#eq-kind').fill('Refrigeration');
  await page.locator('#eq-name').fill('Cold room');
  await page.locator('#eq-serial').fill(`CR-${tenant.slug}`);
  await page.locator('#eq-field-refrigerant').fill('R290');
  await submit(page, '#equipment-form');
  await page.locator('#equipment-name', { hasText: 'Cold room' }).waitFor();
  assert.ok((await page.locator('dl.facts').innerText()).includes('R290'));
  await page.goBack();
  await page.reload();
  const due = new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.locator('#plan-form').evaluate((form) => { form.closest('details').open = true; });
  await page.locator('#plan-title').fill('Refrigeration check');
  await page.locator('#plan-due').fill(due);
  await submit(page, '#plan-form');
  await page.locator('#plan-list', { hasText: 'Refrigeration check' }).waitFor();
  assert.ok((await page.locator('#site-next-inspection').innerText()).includes(due.slice(0, 7)));
  await session.visit(page, 'site-back-office');
  const sites = await tenant.get('/sites');
  const made = sites.items.find((s) => s.name === 'Quai kitchen');
  assert.equal(made.latitude, 45.76);
  assert.equal(made.longitude, 4.83);
});

e2e('staff import a file with one bad row, fix it, and import it again', async (session) => {
  const tenant = await createTenant('import');
  const page = await session.page({ size: PHONE });
  await logIn(page, tenant.slug, tenant.admin.email, tenant.admin.password);
  await open(page, tenantPath(tenant.slug, 'staff/import'));
  const file = (text) => ({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  const bad = 'number,name,address\nC-100,Garage Dupont,1 rue A\nC-100,Garage Martin,2 rue B\n';
  await page.locator('#import-file').setInputFiles(file(bad));
  await submit(page, '#import-form');
  await page.locator('#import-refused').waitFor();
  const report = await page.locator('#import-refused').innerText();
  assert.ok(report.includes('3') && report.includes('twice'), `the report: ${report}`);
  await session.visit(page, 'import-refused');
  assert.equal((await tenant.get('/customers')).items.length, 0, 'nothing half imported');

  await page.locator('#import-file').setInputFiles(file(bad.replace('C-100,Garage Martin', 'C-101,Garage Martin')));
  await submit(page, '#import-form');
  await page.locator('#import-ready').waitFor();
  await page.locator('#import-file').setInputFiles(file(bad.replace('C-100,Garage Martin', 'C-101,Garage Martin')));
  await Promise.all([page.waitForNavigation(), page.locator('#import-run').click()]);
  await page.locator('.flash').waitFor();
  await session.visit(page, 'imported');
  const names = (await tenant.get('/customers')).items.map((c) => c.name).sort();
  assert.deepEqual(names, ['Garage Dupont', 'Garage Martin']);
});
