import { WALLET_ADDRESS_PATTERN } from '../analyzers/text/iocs.js';

/** Kinds of indicators the index groups by. */
export type IocKind = 'domain' | 'ip' | 'url' | 'webhook' | 'wallet' | 'email' | 'other';

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?$/;
const WEBHOOK =
  /(discord(?:app)?\.com\/api\/webhooks|hooks\.slack\.com|api\.telegram\.org\/bot|webhook\.site|pipedream\.net|oast\.|interact\.sh|burpcollaborator)/i;
const WALLET = new RegExp(`^${WALLET_ADDRESS_PATTERN}$`);

/** Classifies an IOC string the scanner extracted. */
export function iocKind(value: string): IocKind {
  const v = value.trim();
  if (WEBHOOK.test(v)) return 'webhook';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return 'url';
  if (IPV4.test(v)) return 'ip';
  if (WALLET.test(v)) return 'wallet';
  if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(v)) return 'email';
  if (/^(?:[a-z0-9-]+\.)+[a-z]{2,}$/i.test(v)) return 'domain';
  return 'other';
}

/** The host of a URL IOC (for clustering URLs that share a server), else undefined. */
export function iocHost(value: string): string | undefined {
  try {
    const u = new URL(value);
    return u.hostname || undefined;
  } catch {
    return undefined;
  }
}
