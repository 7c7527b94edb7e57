// Issue 12 (E6): staff write a help article in the browser (its script is
// removed); a French contact on a phone finds an article by a singular
// without accents ("chaudiere" for "chaudières") and comments on it; staff
// hide the comment; a reader not logged in sees the public articles only.
// Every page: screenshot and axe-core.
import assert from 'node:assert/strict';

import { createCustomer, createTenant } from '../lib/api.js';
import { DESKTOP, PHONE, e2e } from '../lib/browser.js';
import { CONTACT_PASSWORD, contactWithPassword } from '../lib/contacts.js';
import { logIn, open, submit, tenantPath, waitForPath } from '../lib/pages.js';

e2e('a French contact finds a help article by a plural form and comments on it', async (session) => {
  const tenant = await createTenant('kb');
  const customer = await createCustomer(tenant, {
    contact: { name: 'Jeanne Roux', language: 'fr', localPart: 'jeanne' },
    portal: true,
  });
  await contactWithPassword(tenant, customer);
  await tenant.post('/kb/articles', {
    category: 'Sécurité', title: 'Extincteurs : la vérification annuelle', language: 'fr',
    audience: 'portal', published: true, body: 'Chaque extincteur est vérifié une fois par an.',
  });

  // Staff write one in the browser, public, with a script that must not run.
  const desk = await session.page({ size: DESKTOP });
  await logIn(desk, tenant.slug, tenant.admin.email, tenant.admin.password);
  await open(desk, tenantPath(tenant.slug, 'kb'));
  await desk.locator('#kb-new').click();
  await desk.locator('#kb-form').waitFor();
  await desk.locator('#kb-form-category').fill('Chauffage');
  await desk.locator('#kb-form-title').fill('Entretien annuel des chaudières');
  await desk.locator('#kb-form-body').fill(
    'Les **chaudières** à gaz sont entretenues une fois par an.\n\n- Coupez le gaz\n- Dégagez l\'accès\n\n<script>document.title = "owned"</script>',
  );
  await desk.locator('#kb-form-language').selectOption('fr');
  await desk.locator('input[name=audience][value=public]').check();
  await session.visit(desk, 'kb-form');
  await submit(desk, '#kb-form');
  await desk.locator('#kb-article-body').waitFor();
  assert.equal(await desk.locator('#kb-article-body strong').innerText(), 'chaudières');
  assert.equal(await desk.locator('#kb-article-body script').count(), 0, 'the script is removed');
  assert.notEqual(await desk.title(), 'owned');
  const articleUrl = desk.url();
  // Its checklist as a file, read by whoever reads the article.
  await desk.locator('#kb-file').setInputFiles({
    name: 'checklist-chaudiere.pdf', mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% checklist\n%%EOF\n', 'latin1'),
  });
  await submit(desk, '#kb-file-form');
  await desk.locator('#kb-files a', { hasText: 'checklist-chaudiere.pdf' }).waitFor();

  // The contact, on a phone, in French: "chaudiere" finds "chaudières".
  const phone = await session.page({ size: PHONE });
  await logIn(phone, tenant.slug, customer.contact.email, CONTACT_PASSWORD);
  await phone.locator('nav a', { hasText: 'Aide' }).click();
  await waitForPath(phone, tenantPath(tenant.slug, 'kb'));
  assert.match(await phone.locator('main').innerText(), /Sécurité/);
  await session.visit(phone, 'kb-contact');
  await phone.locator('#kb-q').fill('chaudiere');
  await Promise.all([phone.waitForURL(/q=chaudiere/), phone.locator('#kb-search button').click()]);
  const results = await phone.locator('#kb-results li').allInnerTexts();
  assert.equal(results.length, 1, results.join(' | '));
  assert.match(results[0], /Entretien annuel des chaudières/);
  await session.visit(phone, 'kb-search');
  await phone.locator('#kb-results a').click();
  await phone.locator('#kb-comment-form').waitFor();
  await phone.locator('#kb-comment-body').fill('Merci, très clair !');
  await submit(phone, '#kb-comment-form');
  await phone.locator('.flash').waitFor();
  assert.match(await phone.locator('#kb-comments').innerText(), /Jeanne Roux[\s\S]*Merci, très clair/);
  await session.visit(phone, 'kb-commented');

  // Staff hide it; the contact no longer sees it.
  await open(desk, articleUrl);
  await submit(desk, '.kb-hide-form');
  assert.match(await desk.locator('#kb-comments').innerText(), /hidden/);
  await session.visit(desk, 'kb-moderated');
  await open(phone, articleUrl);
  assert.equal(await phone.locator('#kb-comments').count(), 0, 'a hidden comment is gone for contacts');

  // Not logged in: the public article, and no way to comment.
  const visitor = await session.page({ size: PHONE });
  await open(visitor, tenantPath(tenant.slug, 'kb'));
  const shown = await visitor.locator('main').innerText();
  assert.match(shown, /Entretien annuel des chaudières/);
  assert.doesNotMatch(shown, /Extincteurs/);
  await session.visit(visitor, 'kb-public');
  await visitor.locator('main a', { hasText: 'Entretien annuel des chaudières' }).click();
  await visitor.locator('#kb-article-body').waitFor();
  assert.equal(await visitor.locator('#kb-comment-form').count(), 0);
  const file = await visitor.request.get(await visitor.locator('#kb-files a').getAttribute('href'));
  assert.equal(file.status(), 200);
  assert.equal(file.headers()['content-type'], 'application/pdf');
});
