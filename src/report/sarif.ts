import { VERSION } from '../cli/version.js';
import type { Finding, RuleMeta, ScanReport, Severity } from '../core/types.js';
import { allRules } from '../rules/catalog.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};

function ruleHelp(rule: RuleMeta): string {
  return [
    `## ${rule.id} ${rule.name}`,
    '',
    rule.description,
    '',
    `**Why it matters.** ${rule.rationale}`,
    '',
    `**Known false positives.** ${rule.falsePositives}`,
    ...(rule.example ? ['', '```', rule.example, '```'] : []),
    ...(rule.references.length ? ['', '**References**', ...rule.references.map((r) => `- ${r}`)] : []),
  ].join('\n');
}

/** Where a finding lives for SARIF: inside the scanned artifact, addressed relative to the target. */
function location(report: ScanReport, f: Finding) {
  const uri = f.file ? f.file : report.target;
  const region: Record<string, unknown> = {};
  if (f.line) region.startLine = f.line;
  if (f.column) region.startColumn = f.column;
  if (f.snippet) region.snippet = { text: f.snippet };
  return {
    physicalLocation: {
      artifactLocation: { uri, uriBaseId: 'PACKAGEROOT' },
      ...(Object.keys(region).length ? { region } : {}),
    },
    logicalLocations: report.package
      ? [
          {
            name: `${report.package.name}@${report.package.version}`,
            kind: 'package',
            fullyQualifiedName: `${report.package.ecosystem}:${report.package.name}@${report.package.version}`,
          },
        ]
      : undefined,
  };
}

/** SARIF 2.1.0 log: one run, every rule with its help text, one result per finding. */
export function renderSarif(reports: ScanReport[]): string {
  const rules = allRules();
  const used = new Set(reports.flatMap((r) => r.findings.map((f) => f.ruleId)));
  const driverRules = rules.filter((r) => used.has(r.id));
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const results = reports.flatMap((report) => [
    ...report.findings.map((f) => ({
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId),
      level: f.suppressed ? 'none' : LEVEL[f.severity],
      message: {
        text: `${f.message}${report.package ? ` [${report.package.name}@${report.package.version}, ${f.context}]` : ''}`,
      },
      locations: [location(report, f)],
      properties: {
        category: f.category,
        severity: f.severity,
        confidence: f.confidence,
        context: f.context,
        verdict: report.verdict,
        score: report.score,
        ...(f.iocs ? { iocs: f.iocs } : {}),
      },
      ...(f.suppressed ? { suppressions: [{ kind: 'external', justification: f.suppressed.reason }] } : {}),
    })),
  ]);
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'beagle',
            informationUri: 'https://github.com/beagle-scanner/beagle',
            version: VERSION,
            semanticVersion: VERSION,
            rules: driverRules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.description },
              fullDescription: { text: r.rationale },
              help: {
                text: `${r.description} ${r.rationale} False positives: ${r.falsePositives}`,
                markdown: ruleHelp(r),
              },
              helpUri: `https://github.com/beagle-scanner/beagle/blob/main/docs/rules/${r.id}.md`,
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                category: r.category,
                tags: ['security', 'malware', r.category],
                'security-severity': SECURITY_SEVERITY[r.severity],
              },
            })),
          },
        },
        originalUriBaseIds: { PACKAGEROOT: { description: { text: 'Root of the scanned package' } } },
        invocations: [
          {
            executionSuccessful: reports.every((r) => r.errors.length === 0),
            toolExecutionNotifications: reports.flatMap((r) =>
              r.errors.map((e) => ({
                level: 'error',
                message: { text: e.message },
                descriptor: { id: e.code },
              })),
            ),
          },
        ],
        results,
        properties: {
          packages: reports.map((r) => ({
            target: r.target,
            verdict: r.verdict,
            score: r.score,
            categories: r.categories,
          })),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
