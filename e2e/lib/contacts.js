// A customer's contact who can log in: invited, and the invitation
// accepted with a password, through the mail the portal sends.
import { call } from './api.js';
import { waitForLink } from './mail.js';

export const CONTACT_PASSWORD = 'a long enough contact password';

export async function contactWithPassword(tenant, customer) {
  await tenant.post(`/contacts/${customer.contact.id}/invitation`, {});
  const { link } = await waitForLink(customer.contact.email, '/invitations/accept?token=');
  await call('POST', '/auth/invitations/accept', {
    body: { token: new URL(link).searchParams.get('token'), password: CONTACT_PASSWORD },
  });
}
