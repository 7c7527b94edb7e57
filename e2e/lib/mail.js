// The local mailbox: with PORTAL_SMTP_URL unset, the notification service
// writes each mail as an .eml file. Tests read their links from there.
import fs from 'node:fs/promises';
import path from 'node:path';

import { config } from './config.js';

/** Splits a raw message (or MIME part) into lower-cased headers and body. */
function split(raw) {
  const match = /\r?\n\r?\n/.exec(raw);
  const head = match ? raw.slice(0, match.index) : raw;
  const body = match ? raw.slice(match.index + match[0].length) : '';
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeQuotedPrintable(text) {
  const bytes = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i += 1) {
    const hex = soft.slice(i + 1, i + 3);
    if (soft[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(soft[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Every text part of a message, decoded (multipart, base64, quoted-printable). */
export function textParts(raw) {
  const { headers, body } = split(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    return body
      .split(`--${boundary}`)
      .slice(1)
      .filter((part) => !part.startsWith('--'))
      .flatMap((part) => textParts(part.replace(/^\r?\n/, '')));
  }
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'base64') return [Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')];
  if (encoding === 'quoted-printable') return [decodeQuotedPrintable(body)];
  return [body];
}

/** Reads one .eml file: its To header and its decoded text. */
export async function readMail(file) {
  const raw = await fs.readFile(file, 'utf8');
  const { headers } = split(raw);
  return { file, to: headers.to ?? '', subject: headers.subject ?? '', text: textParts(raw).join('\n') };
}

/** The first absolute link in `text` whose path contains `pathPart`, HTML entities undone. */
export function findLink(text, pathPart) {
  const escaped = pathPart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`https?://[^\\s"'<>]*${escaped}[^\\s"'<>]*`).exec(text);
  return match ? match[0].replace(/&amp;/g, '&') : null;
}

/**
 * Waits for a mail to `address` holding a link with `pathPart` (e.g.
 * `/invitations/accept?token=`) and returns {file, subject, link}.
 */
export async function waitForLink(address, pathPart, { timeoutMs = 20_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  const wanted = address.toLowerCase();
  let seen = 0;
  for (;;) {
    let names = [];
    try {
      names = (await fs.readdir(config.mailDir)).filter((name) => name.endsWith('.eml'));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    seen = names.length;
    for (const name of names) {
      const mail = await readMail(path.join(config.mailDir, name));
      if (!mail.to.toLowerCase().includes(wanted)) continue;
      const link = findLink(mail.text, pathPart);
      if (link) return { file: mail.file, subject: mail.subject, link };
    }
    if (Date.now() > deadline) {
      throw new Error(`no mail to ${address} with a \`${pathPart}\` link in ${config.mailDir} within ${timeoutMs / 1000}s (${seen} .eml files there)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
