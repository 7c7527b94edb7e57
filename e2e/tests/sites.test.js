// Issue 11: a contact on a phone finds their site on the map, opens it, sees
// its equipment by inspection status, opens an equipment (status, history)
// and reports a problem with it in one tap: the request names the equipment.
// Every page: screenshot and axe-core.
import assert from 'node:assert/strict';

import { call, createCustomer, createTenant } from '../lib/api.js';
import { PHONE, e2e } from '../lib/browser.js';
import { waitForLink } from '../lib/mail.js';
import { logIn, open, submit, tenantPath } from '../lib/pages.js';

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

  const page = await session.page({ size: PHONE });
  await logIn(page, tenant.slug, customer.contact.email, PASSWORD);
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
  await page.locator('#request-status').waitFor();
  const requests = await tenant.get(`/requests?site_id=${customer.site.id}`);
  const made = requests.items.find((r) => r.title === 'Cold room too warm');
  assert.ok(made, 'the request was not made');
  assert.equal(made.equipment_id, fridge.id);
});
