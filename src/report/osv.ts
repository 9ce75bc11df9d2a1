import { createHash } from 'node:crypto';
import type { Ecosystem, ScanReport } from '../core/types.js';

/** OSV ecosystem names (https://ossf.github.io/osv-schema/#affectedpackage-field). */
export const OSV_ECOSYSTEM: Record<Ecosystem, string> = { npm: 'npm', pypi: 'PyPI', maven: 'Maven' };

/** An OSV record, as published by the OpenSSF malicious-packages project. */
export interface OsvRecord {
  schema_version: string;
  id: string;
  modified: string;
  published: string;
  summary: string;
  details: string;
  affected: Array<{
    package: { ecosystem: string; name: string; purl?: string };
    versions: string[];
    database_specific?: Record<string, unknown>;
  }>;
  database_specific: Record<string, unknown>;
}

function purl(eco: Ecosystem, name: string, version: string): string {
  if (eco === 'npm') {
    const scoped = name.startsWith('@');
    return `pkg:npm/${scoped ? `%40${name.slice(1)}` : name}@${version}`;
  }
  if (eco === 'pypi') return `pkg:pypi/${name.toLowerCase().replace(/[-_.]+/g, '-')}@${version}`;
  const [group, artifact] = name.split(':');
  return `pkg:maven/${group}/${artifact}@${version}`;
}

/** Stable Beagle advisory id for a package version: `BGL-<ecosystem>-<12 hex>`. */
export function advisoryId(eco: Ecosystem, name: string, version: string): string {
  const h = createHash('sha256').update(`${eco}\0${name}\0${version}`).digest('hex').slice(0, 12);
  return `BGL-${eco.toUpperCase()}-${h}`;
}

/**
 * Converts a malicious/suspicious report into an OSV record like the OpenSSF
 * malicious-packages ones, so OSV-Scanner and similar tools can consume Beagle's detections.
 * Returns undefined for clean or unscanned reports.
 */
export function reportToOsv(report: ScanReport, when: Date = new Date()): OsvRecord | undefined {
  if (!report.package || (report.verdict !== 'malicious' && report.verdict !== 'suspicious'))
    return undefined;
  const { ecosystem, name, version } = report.package;
  const iocs = [...new Set(report.findings.flatMap((f) => f.iocs ?? []))];
  const top = report.findings.filter((f) => !f.suppressed && f.severity !== 'info').slice(0, 10);
  const ts = when.toISOString();
  return {
    schema_version: '1.6.0',
    id: advisoryId(ecosystem, name, version),
    modified: ts,
    published: ts,
    summary: `${report.verdict === 'malicious' ? 'Malicious' : 'Suspicious'} code in ${name} (${OSV_ECOSYSTEM[ecosystem]})`,
    details: [
      `Beagle rated ${name}@${version} ${report.verdict} (score ${report.score}/100; ${report.categories.join(', ')}).`,
      '',
      ...report.reasons.map((r) => `- ${r}`),
      '',
      'Evidence:',
      ...top.map((f) => `- ${f.ruleId} ${f.file ?? ''}${f.line ? `:${f.line}` : ''} — ${f.message}`),
    ].join('\n'),
    affected: [
      {
        package: { ecosystem: OSV_ECOSYSTEM[ecosystem], name, purl: purl(ecosystem, name, version) },
        versions: [version],
        database_specific: { verdict: report.verdict, score: report.score, categories: report.categories },
      },
    ],
    database_specific: {
      'malicious-packages-origins': [{ source: 'beagle', import_time: ts, versions: [version] }],
      iocs,
      rules: [...new Set(top.map((f) => f.ruleId))],
    },
  };
}

/** `--format osv`: an array of OSV records for the flagged targets. */
export function renderOsv(reports: ScanReport[]): string {
  const records = reports.map((r) => reportToOsv(r)).filter((r): r is OsvRecord => !!r);
  return `${JSON.stringify(records, null, 2)}\n`;
}
