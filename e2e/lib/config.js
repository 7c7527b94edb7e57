// Settings of a run, from the environment `cargo xtask e2e` sets. Running by
// hand against `cargo xtask up` works too: set the same variables (see
// e2e/README.md).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests with \`cargo xtask e2e\` (see e2e/README.md)`);
  }
  return value;
}

export const config = {
  /** The gateway, e.g. https://127.0.0.1:9443 (no trailing slash). */
  get baseUrl() { return required('PORTAL_E2E_BASE_URL').replace(/\/+$/, ''); },
  /** The folder where the notification service writes .eml files. */
  get mailDir() { return required('PORTAL_E2E_MAIL_DIR'); },
  /** The operator token the system was started with (creates tenants). */
  get operatorToken() { return required('PORTAL_E2E_OPERATOR_TOKEN'); },
  /** Screenshots, HTML of failed pages: <outDir>/screenshots/<test>/. */
  outDir: process.env.PORTAL_E2E_OUT_DIR || path.join(repoRoot, 'target', 'e2e'),
  chromium: process.env.PORTAL_E2E_CHROMIUM || '/usr/bin/chromium',
};
