/** Kinds of indicators the index groups by. */
export type IocKind = 'domain' | 'ip' | 'url' | 'webhook' | 'wallet' | 'email' | 'other';

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?$/;
const WEBHOOK =
  /(discord(?:app)?\.com\/api\/webhooks|hooks\.slack\.com|api\.telegram\.org\/bot|webhook\.site|pipedream\.net|oast\.|interact\.sh|burpcollaborator)/i;
const WALLET =
  /^(?:0x[a-fA-F0-9]{40}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[a-z0-9]{25,62}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|T[1-9A-HJ-NP-Za-km-z]{33})$/;

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
