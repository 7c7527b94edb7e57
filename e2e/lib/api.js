// The REST API (docs/architecture.md) used to create each test's own data:
// a tenant with a unique slug, its admin, customers, sites, contacts.
import https from 'node:https';
import { randomBytes } from 'node:crypto';

import { config } from './config.js';

// The local gateway serves a self-signed development certificate: skip
// verification for this agent only, which talks to nothing but the gateway.
const insecureLocalAgent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });

/** Sends one JSON request; resolves to {status, headers, body} whatever the status. */
export function request(method, path, { token, body } = {}) {
  const url = new URL(`${config.baseUrl}/api/v1${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (payload !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(payload);
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, headers, agent: insecureLocalAgent, timeout: 20_000 }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try { parsed = text ? JSON.parse(text) : null; } catch { /* keep the text */ }
        resolve({ status: res.statusCode, headers: res.headers, body: parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Like `request` but fails unless the answer is 2xx; resolves to the body. */
export async function call(method, path, options = {}) {
  const answer = await request(method, path, options);
  if (answer.status < 200 || answer.status >= 300) {
    const body = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    throw new Error(`${method} /api/v1${path} answered ${answer.status}: ${body}`);
  }
  return answer.body;
}

/** A slug no other test (or run) uses: `<prefix>-<time><random>`. */
export function uniqueSlug(prefix) {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 10) || 't';
  return `${clean}-${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}

/**
 * Creates a tenant with its first admin (operator token) and logs the admin
 * in. Returns the tenant's slug, the admin's credentials and an API helper
 * acting as that admin.
 */
export async function createTenant(prefix) {
  const slug = uniqueSlug(prefix);
  const admin = { email: `admin@${slug}.example`, password: `admin-pass-${slug}` };
  await call('POST', '/tenants', {
    token: config.operatorToken,
    body: { slug, name: `E2E ${slug}`, admin_email: admin.email, admin_password: admin.password },
  });
  const login = await call('POST', '/auth/login', {
    body: { tenant: slug, email: admin.email, password: admin.password },
  });
  const token = login.access_token;
  const as = (method) => (path, body) => call(method, path, { token, body });
  return { slug, admin, token, post: as('POST'), put: as('PUT'), get: as('GET') };
}

/**
 * A customer with one site in `tenant`, and optionally a contact.
 * `contact`: {name, language} or null; `portal`: enable the customer's portal.
 */
export async function createCustomer(tenant, { contact = null, portal = false } = {}) {
  const number = `C-${randomBytes(3).toString('hex').toUpperCase()}`;
  const customer = await tenant.post('/customers', {
    number,
    name: 'Hôtel du Lac',
    address: '1 quai du Lac, Annecy',
    info: 'Deliveries before 10:00',
  });
  const site = await tenant.post(`/customers/${customer.id}/sites`, {
    name: 'Kitchen',
    address: '1 quai du Lac, Annecy',
    latitude: 45.9,
    longitude: 6.13,
  });
  let createdContact = null;
  if (contact) {
    const email = `${contact.localPart ?? 'contact'}@${tenant.slug}.example`;
    const created = await tenant.post(`/customers/${customer.id}/contacts`, {
      name: contact.name ?? 'Jean Dupont',
      email,
      language: contact.language ?? 'en',
      notifications: true,
      site_ids: [],
    });
    createdContact = { ...created, email };
  }
  if (portal) await tenant.put(`/customers/${customer.id}/portal`, { enabled: true });
  return { id: customer.id, number, name: 'Hôtel du Lac', site, contact: createdContact };
}
