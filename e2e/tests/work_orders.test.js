// Issue 10: work planned and done, by the three people involved. A
// dispatcher (desktop) plans an accepted request from the board with its
// form alone, is told when a second plan overlaps and plans it anyway, and
// drags a third onto the technician's afternoon; the contact (phone) sees
// the appointment first on the home page and in the upcoming list, and
// downloads its .ics; the technician (phone) opens their day, starts the
// work, takes a photo on the work order's page, has the customer sign on
// the screen and completes it; the contact then finds it among the work
// done, with its service report, and the photo on the request's page. Every page: screenshot and axe-core.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { call, createCustomer, createTenant } from '../lib/api.js';
import { DESKTOP, PHONE, e2e } from '../lib/browser.js';
import { waitForLink } from '../lib/mail.js';
import { logIn, open, submit, tenantPath, waitForPath } from '../lib/pages.js';

const PASSWORD = 'a long enough contact password';
const STAFF_PASSWORD = 'a long enough staff password';
// A 64×40 picture (an orange door seal), valid enough to be drawn and printed.
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000040000000280802000000c1ac6bbe000000514944415478daedd8391100201004c153428c2694201125e8c005c7d35563a0834d366a1b57170000008f02662f4705009009c81a28000000000000000000000000004036c02b01f023c03b0d0000b0a5057a004f0465c970a20000000049454e44ae426082',
  'hex',
);

/** The UTC date `days` from now, as a date input holds it. */
function inDays(days) {
  return new Date(Date.now() + days * 24 * 3600 * 1000).toISOString().slice(0, 10);
}

/**
 * A PDF as poppler reads it (installed by `cargo xtask e2e`): its text
 * (`pdftotext`) and the sizes of the pictures it draws (`pdfimages -list`).
 */
function readPdf(pdf) {
  const dir = mkdtempSync(join(tmpdir(), 'portal-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    // After two header lines: "page num type width height ...".
    const images = execFileSync('pdfimages', ['-list', file], { encoding: 'utf8' })
      .split('\n')
      .slice(2)
      .filter((line) => line.trim())
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[2] === 'image')
      .map((cols) => `${cols[3]}x${cols[4]}`);
    return { text, images };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A contact's request, accepted by the admin; resolves to its work order's id. */
async function acceptedWork(tenant, contactToken, siteId, title) {
  const request = await call('POST', '/requests', {
    token: contactToken,
    body: { site_id: siteId, title, description: `${title}: please come and have a look.` },
  });
  await tenant.post(`/requests/${request.id}/accept`, {});
  const deadline = Date.now() + 20_000;
  for (;;) {
    const seen = await tenant.get(`/requests/${request.id}`);
    if (seen.work_order_id) return { requestId: request.id, id: seen.work_order_id };
    assert.ok(Date.now() < deadline, `no work order for "${title}" after 20 s`);
    await new Promise((resolve) => { setTimeout(resolve, 250); });
  }
}

/** Opens an item's plan form on the board and fills it in. */
async function fillPlan(page, id, technicianId, day, start, end) {
  const item = page.locator(`#wo-${id}`);
  await item.locator('summary').click();
  const form = page.locator(`#plan-${id}`);
  await form.locator(`input[name=technician_ids][value="${technicianId}"]`).check();
  await form.locator('[name=date]').fill(day);
  await form.locator('[name=start]').fill(start);
  await form.locator('[name=end]').fill(end);
}

e2e('work is planned on the board, done on a phone with a signature, and seen by the contact', async (session) => {
  const tenant = await createTenant('wo');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jean Dupont', language: 'en', localPart: 'jean' },
    portal: true,
  });
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  await call('POST', '/auth/invitations/accept', {
    body: { token: new URL(link).searchParams.get('token'), password: PASSWORD },
  });
  const contactLogin = await call('POST', '/auth/login', {
    body: { tenant: tenant.slug, email: customer.contact.email, password: PASSWORD },
  });
  const dispatcher = { email: `dana@${tenant.slug}.example`, name: 'Dana Dispatcher' };
  await tenant.post('/staff', { ...dispatcher, roles: ['dispatcher'], password: STAFF_PASSWORD });
  const tech = { email: `tom@${tenant.slug}.example`, name: 'Tom Technician' };
  const technician = await tenant.post('/staff', { ...tech, roles: ['technician'], password: STAFF_PASSWORD });
  const oven = await acceptedWork(tenant, contactLogin.access_token, customer.site.id, 'Oven door does not close');
  const sink = await acceptedWork(tenant, contactLogin.access_token, customer.site.id, 'Sink drains slowly');
  const fridge = await acceptedWork(tenant, contactLogin.access_token, customer.site.id, 'Fridge is noisy');
  const day = inDays(1);

  // (a) The dispatcher plans the oven from the board, with the form alone.
  const board = await session.page({ size: DESKTOP });
  await logIn(board, tenant.slug, dispatcher.email, STAFF_PASSWORD);
  await waitForPath(board, tenantPath(tenant.slug, 'staff/customers'));
  await board.locator('nav a', { hasText: 'Dispatch board' }).click();
  await waitForPath(board, tenantPath(tenant.slug, 'board'));
  await board.locator(`#wo-${oven.id}`).waitFor();
  assert.equal(await board.locator(`#tech-${technician.id}`).count(), 1, 'the technician has no row');
  await session.visit(board, 'board-to-plan');

  await fillPlan(board, oven.id, technician.id, day, '09:00', '11:00');
  await session.visit(board, 'board-plan-form');
  await submit(board, `#plan-${oven.id}`);
  await board.locator('.flash').waitFor();
  const ovenBlock = board.locator(`#tech-${technician.id} a.block[data-work-order="${oven.id}"]`);
  await ovenBlock.waitFor();
  assert.match(await ovenBlock.innerText(), /09:00–11:00/);
  assert.match(await ovenBlock.innerText(), /Oven door does not close/);
  assert.equal(await board.locator(`#wo-${oven.id}`).count(), 0, 'the planned work is still among the work to plan');
  await session.visit(board, 'board-planned');

  // A second plan that overlaps is refused with the service's reason; "plan anyway" plans it.
  await fillPlan(board, sink.id, technician.id, day, '10:00', '12:00');
  const refused = await submit(board, `#plan-${sink.id}`, { allowError: true });
  assert.equal(refused.status(), 409);
  const reason = await board.locator(`#plan-error-${sink.id}`).innerText();
  assert.match(reason, /Oven door does not close/);
  const force = board.locator(`#p-${sink.id}-force`);
  await force.waitFor();
  assert.equal(await board.locator(`#plan-${sink.id} [name=start]`).inputValue(), '10:00', 'the form lost its values');
  await session.visit(board, 'board-busy');
  await force.check();
  await submit(board, `#plan-${sink.id}`);
  await board.locator('.flash').waitFor();
  await board.locator(`#tech-${technician.id} a.block.overlap[data-work-order="${sink.id}"]`).waitFor();
  assert.equal(await board.locator(`#tech-${technician.id} a.block.overlap`).count(), 2, 'both overlapping blocks are marked');
  assert.equal(await board.locator(`#tech-${technician.id} .overlap-badge`).count(), 1);
  await session.visit(board, 'board-overlap');

  // With the script: work dragged onto the technician's day is planned where it was dropped.
  const cell = board.locator(`#tech-${technician.id} td.cell[data-date="${day}"]`);
  const track = await cell.locator('.track').boundingBox();
  const slots = Number(await board.locator('#board').getAttribute('data-slots'));
  // 14:00 is the 17th half hour from 06:00: aim at its middle.
  await board.locator(`#wo-${fridge.id} .to-plan-head`).dragTo(cell, {
    targetPosition: { x: track.width / 2, y: (track.height * 16.5) / slots + (track.y - (await cell.boundingBox()).y) },
  });
  const fridgeBlock = board.locator(`#tech-${technician.id} a.block[data-work-order="${fridge.id}"]`);
  await fridgeBlock.waitFor();
  assert.match(await fridgeBlock.textContent(), /14:00–16:00/);
  await session.visit(board, 'board-dragged');
  await open(board, `${tenantPath(tenant.slug, 'board')}?view=day&date=${day}`);
  await board.locator(`#tech-${technician.id} a.block[data-work-order="${oven.id}"]`).waitFor();
  await session.visit(board, 'board-day');

  // The work order's page: plan, technicians, history, and the dispatcher's forms.
  await board.locator(`a.block[data-work-order="${oven.id}"]`).click();
  await waitForPath(board, tenantPath(tenant.slug, `work-orders/${oven.id}`));
  assert.match(await board.locator('#wo-technicians').innerText(), /Tom Technician/);
  for (const form of [`#plan-${oven.id}`, '#unschedule-form', '#cancel-form']) {
    assert.equal(await board.locator(form).count(), 1, `the dispatcher's work order page lacks ${form}`);
  }
  assert.equal(await board.locator('#start-form').count(), 0, 'a dispatcher is offered to start');
  await session.visit(board, 'work-order-dispatcher');

  // (c) The contact: the next appointment first on the home page, then the list and its .ics.
  const contact = await session.page({ size: PHONE });
  await logIn(contact, tenant.slug, customer.contact.email, PASSWORD);
  await waitForPath(contact, tenantPath(tenant.slug));
  const next = contact.locator('#next-appointment');
  await next.waitFor();
  assert.match(await next.innerText(), /Oven door does not close/);
  assert.match(await next.innerText(), /Tom Technician/);
  await session.visit(contact, 'home-next-appointment');
  await contact.locator('nav a', { hasText: 'Appointments' }).click();
  await waitForPath(contact, tenantPath(tenant.slug, 'appointments'));
  const card = contact.locator(`#appointment-${oven.id}`);
  await card.waitFor();
  const text = await card.innerText();
  assert.match(text, new RegExp(`${day} 09:00 – 11:00 UTC`));
  assert.match(text, /Kitchen/);
  assert.match(text, /Tom Technician/);
  assert.match(text, /Scheduled/);
  await session.visit(contact, 'appointments-upcoming');
  const ics = await contact.request.get(await card.locator('a.ics-link').getAttribute('href'));
  assert.equal(ics.status(), 200);
  assert.match(ics.headers()['content-type'], /^text\/calendar/);
  const calendar = await ics.text();
  assert.match(calendar, /BEGIN:VEVENT/);
  assert.match(calendar, /SUMMARY:Oven door does not close/);
  assert.match(calendar, new RegExp(`DTSTART:${day.replaceAll('-', '')}T090000Z`));

  // (b) The technician, on a phone: their day, then the work: start, sign, complete.
  const phone = await session.page({ size: PHONE });
  await logIn(phone, tenant.slug, tech.email, STAFF_PASSWORD);
  await waitForPath(phone, tenantPath(tenant.slug, 'staff/customers'));
  await phone.locator('nav a', { hasText: 'My day' }).click();
  await waitForPath(phone, tenantPath(tenant.slug, 'my-day'));
  await phone.locator('#my-next').click();
  const item = phone.locator(`#wo-${oven.id}`);
  await item.waitFor();
  const itemText = await item.innerText();
  assert.match(itemText, /Hôtel du Lac/);
  assert.match(itemText, /Kitchen/);
  assert.match(itemText, /please come and have a look/);
  assert.match(await item.locator('a.map-link').getAttribute('href'), /^geo:45\.9,6\.13/);
  assert.equal(await phone.locator(`#wo-${sink.id}`).count(), 1, 'the second work of the day is missing');
  assert.equal(await phone.locator(`#wo-${fridge.id}`).count(), 1, 'the dragged work is missing');
  await session.visit(phone, 'my-day');

  await item.locator('h3 a').click();
  await waitForPath(phone, tenantPath(tenant.slug, `work-orders/${oven.id}`));
  assert.equal(await phone.locator('#wo-status').getAttribute('data-status'), 'scheduled');
  // D6: the phone's camera, several photos at once.
  const photoInput = phone.locator('#photos-input');
  assert.equal(await photoInput.getAttribute('accept'), 'image/*');
  assert.equal(await photoInput.getAttribute('capture'), 'environment');
  assert.equal(await photoInput.getAttribute('multiple'), '');
  assert.equal(await phone.locator('#cancel-form').count(), 0, 'a technician is offered to cancel');
  await session.visit(phone, 'work-order-technician');
  await submit(phone, '#start-form');
  await phone.locator('#complete-form').waitFor();
  assert.equal(await phone.locator('#wo-status').getAttribute('data-status'), 'in_progress');

  // D6: a photo, taken on the work order's own page; it joins its gallery.
  await photoInput.setInputFiles([{ name: 'new-seal.png', mimeType: 'image/png', buffer: PNG }]);
  await submit(phone, '#photos-form');
  await phone.locator('.flash').waitFor();
  const thumb = phone.locator('#photo-gallery img[alt*="new-seal.png"]');
  await thumb.waitFor();
  assert.equal(await thumb.getAttribute('loading'), 'lazy');
  // Scrolled to, the browser loads and draws it.
  await thumb.scrollIntoViewIfNeeded();
  await phone.waitForFunction((img) => img.complete && img.naturalWidth === 64, await thumb.elementHandle());
  const photoUrl = await phone.locator('#photo-gallery a').first().getAttribute('href');
  const photo = await phone.request.get(photoUrl);
  assert.equal(photo.status(), 200);
  assert.match(photo.headers()['content-type'], /^image\/png/);
  await session.visit(phone, 'work-order-photo-added');

  await phone.locator('#complete-notes').fill('New door seal fitted; the oven holds its heat.');
  await phone.locator('#complete-minutes').fill('75');
  await phone.locator('#signer-name').fill('Jean Dupont');
  const canvas = phone.locator('#signature-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  assert.ok(box, 'the signature pad is not shown');
  await phone.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.7);
  await phone.mouse.down();
  for (const [x, y] of [[0.25, 0.3], [0.4, 0.75], [0.55, 0.3], [0.7, 0.7], [0.9, 0.4]]) {
    await phone.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 5 });
  }
  await phone.mouse.up();
  assert.match(await phone.locator('#signature-data').inputValue(), /^data:image\/png;base64,./);
  await session.visit(phone, 'work-order-signed');
  await submit(phone, '#complete-form');
  await phone.locator('.flash').waitFor();
  assert.equal(await phone.locator('#wo-status').getAttribute('data-status'), 'completed');
  assert.equal(await phone.locator('#wo-signature').getAttribute('data-signed'), 'true');
  assert.match(await phone.locator('#wo-signature').innerText(), /Jean Dupont/);
  assert.match(await phone.locator('#wo-minutes').innerText(), /75/);
  assert.equal(await phone.locator('#wo-actions').count(), 0, 'completed work still offers actions');
  await session.visit(phone, 'work-order-completed');

  // The contact finds it among the work done.
  await open(contact, `${tenantPath(tenant.slug, 'appointments')}?when=done`);
  const done = contact.locator(`#appointment-${oven.id}`);
  await done.waitFor();
  assert.match(await done.innerText(), /Completed/);
  assert.equal(await done.locator('a.ics-link').count(), 0, 'done work still offers a calendar file');
  // D4: the service report follows (documents makes it from the completion).
  const deadline = Date.now() + 30_000;
  while ((await done.locator('a.report-link').count()) === 0) {
    assert.ok(Date.now() < deadline, 'no service report on the done appointment after 30 s');
    await new Promise((resolve) => { setTimeout(resolve, 1000); });
    await open(contact, `${tenantPath(tenant.slug, 'appointments')}?when=done`);
  }
  await session.visit(contact, 'appointments-done');
  const report = await contact.request.get(await done.locator('a.report-link').getAttribute('href'));
  assert.equal(report.status(), 200);
  assert.match(report.headers()['content-type'], /^application\/pdf/);
  const pdf = await report.body();
  assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
  // What the customer reads in it: the work, what was done, by whom, who signed.
  const { text: reportText, images } = readPdf(pdf);
  for (const expected of ['Oven door does not close', 'New door seal fitted', tech.name, 'Jean Dupont', 'Photos']) {
    assert.ok(reportText.includes(expected), `the report does not say "${expected}":\n${reportText}`);
  }
  // ... and the photo the technician took, as it was taken.
  assert.ok(images.includes('64x40'), `the report draws no 64×40 photo: ${images.join(', ')}`);

  // D6: the contact sees the photo in the request's gallery (the tenant shows photos by default).
  await open(contact, tenantPath(tenant.slug, `requests/${oven.requestId}`));
  const seen = contact.locator('#photo-gallery img[alt*="new-seal.png"]');
  await seen.waitFor();
  await seen.scrollIntoViewIfNeeded();
  await contact.waitForFunction((img) => img.complete && img.naturalWidth === 64, await seen.elementHandle());
  const shown = await contact.request.get(await contact.locator('#photo-gallery a').first().getAttribute('href'));
  assert.equal(shown.status(), 200);
  assert.match(shown.headers()['content-type'], /^image\/png/);
  await session.visit(contact, 'request-photos-contact');
}, { timeout: 150_000 });
