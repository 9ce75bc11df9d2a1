import { createHash } from 'node:crypto';
import { BeagleError } from '../core/errors.js';
import type { ReadLimits } from '../core/limits.js';
import type { ArtifactFile, Finding } from '../core/types.js';
import { makeFinding } from '../rules/finding.js';
import { classify } from './classify.js';
import { safeRelativePath, stripFirstComponent } from './paths.js';
import { DEVICE_ENTRY, DUPLICATE_ENTRY, LINK_ENTRY, OVERSIZE_ENTRY, PATH_TRAVERSAL } from './rules.js';

/** What any archive or folder reader produces. */
export interface ReadResult {
  files: ArtifactFile[];
  findings: Finding[];
  warnings: string[];
  /** Uncompressed bytes kept in memory. */
  bytes: number;
}

export type EntryType = 'file' | 'directory' | 'symlink' | 'link' | 'special';

export interface CollectorOptions {
  limits: ReadLimits;
  /** Drop the archive's top folder (npm `package/`, sdist `name-version/`). */
  stripRoot?: boolean;
  /** Name used in error messages. */
  label: string;
}

/**
 * Applies Beagle's safety rules to a stream of archive entries: path normalisation, link and
 * device refusal, duplicates, per-file and total size limits, entry count.
 */
export class EntryCollector {
  private readonly byPath = new Map<string, ArtifactFile>();
  readonly findings: Finding[] = [];
  readonly warnings: string[] = [];
  private entries = 0;
  private total = 0;

  constructor(private readonly options: CollectorOptions) {}

  /** Normalises a raw entry name; reports traversal. Returns undefined for entries to skip. */
  private resolve(rawName: string): string | undefined {
    const safe = safeRelativePath(rawName);
    if (safe === undefined) {
      const trimmed = rawName.replace(/\\/g, '/').replace(/\/+$/, '');
      if (trimmed === '' || trimmed === '.' || trimmed === './') return undefined;
      this.findings.push(
        makeFinding(PATH_TRAVERSAL, {
          file: rawName,
          message: `Archive entry "${rawName}" escapes the package root; it was not read.`,
          evidence: { entry: rawName },
        }),
      );
      return undefined;
    }
    return this.options.stripRoot ? stripFirstComponent(safe) : safe;
  }

  /** Counts an entry and fails the whole read when the archive has too many. */
  countEntry(): void {
    this.entries++;
    if (this.entries > this.options.limits.maxEntries) {
      throw new BeagleError(
        'limit',
        `${this.options.label}: more than ${this.options.limits.maxEntries} entries in the archive (refused)`,
      );
    }
  }

  /** Reports a link or special entry, never following it. */
  addNonFile(rawName: string, type: Exclude<EntryType, 'file' | 'directory'>, linkTarget?: string): void {
    this.countEntry();
    const path = this.resolve(rawName) ?? rawName;
    if (type === 'special') {
      this.findings.push(
        makeFinding(DEVICE_ENTRY, {
          file: path,
          message: `Archive entry "${path}" is a device/FIFO special file; it was not read.`,
        }),
      );
      return;
    }
    this.findings.push(
      makeFinding(LINK_ENTRY, {
        file: path,
        message: `Archive entry "${path}" is a ${type === 'symlink' ? 'symbolic' : 'hard'} link to "${linkTarget ?? '?'}"; it was not followed.`,
        evidence: { linkTarget, linkType: type },
        severity:
          linkTarget && (linkTarget.startsWith('/') || linkTarget.includes('..')) ? 'high' : undefined,
      }),
    );
  }

  /** Whether a file of this declared size will be kept; reports and skips oversize files. */
  acceptsSize(rawName: string, size: number): boolean {
    if (size > this.options.limits.maxFileBytes) {
      const path = this.resolve(rawName) ?? rawName;
      this.findings.push(
        makeFinding(OVERSIZE_ENTRY, {
          file: path,
          message: `"${path}" is ${size} bytes, over the ${this.options.limits.maxFileBytes}-byte single-file limit; it was not analysed.`,
          evidence: { size },
        }),
      );
      this.warnings.push(`${path}: skipped, ${size} bytes is over the single-file limit`);
      return false;
    }
    if (this.total + size > this.options.limits.maxTotalBytes) {
      throw new BeagleError(
        'limit',
        `${this.options.label}: uncompressed content exceeds ${this.options.limits.maxTotalBytes} bytes (refused)`,
      );
    }
    return true;
  }

  addFile(rawName: string, data: Buffer, mode?: number): void {
    this.countEntry();
    const path = this.resolve(rawName);
    if (path === undefined || path === '') return;
    if (!this.acceptsSize(rawName, data.length)) return;
    this.total += data.length;
    const previous = this.byPath.get(path);
    if (previous) {
      this.total -= previous.size;
      const same = sha256(previous.data) === sha256(data);
      if (!same) {
        this.findings.push(
          makeFinding(DUPLICATE_ENTRY, {
            file: path,
            message: `"${path}" appears twice in the archive with different content; the last copy (which installers keep) is analysed.`,
            evidence: { firstSha256: sha256(previous.data), lastSha256: sha256(data) },
          }),
        );
      }
    }
    const { kind, binaryType } = classify(path, data);
    const file: ArtifactFile = { path, size: data.length, data, kind };
    if (binaryType) file.binaryType = binaryType;
    if (mode !== undefined) file.mode = mode;
    this.byPath.set(path, file);
  }

  result(): ReadResult {
    return {
      files: [...this.byPath.values()],
      findings: this.findings,
      warnings: this.warnings,
      bytes: this.total,
    };
  }
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
