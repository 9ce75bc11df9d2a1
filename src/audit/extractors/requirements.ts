import path from 'node:path';
import type { Dependency, ExtractContext, Extraction, Extractor } from '../types.js';
import { ExtractError } from './util.js';

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*/;

interface Line {
  text: string;
  line: number;
}

/** Joins `\` continuations and strips comments (` #` or a leading `#`), keeping the first line number. */
function logicalLines(text: string): Line[] {
  const out: Line[] = [];
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let buf = '';
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    let l = raw[i]!;
    if (!buf) start = i + 1;
    if (/^\s*#/.test(l)) l = '';
    else l = l.replace(/\s+#.*$/, '');
    if (l.endsWith('\\')) {
      buf += `${l.slice(0, -1)} `;
      continue;
    }
    buf += l;
    if (buf.trim()) out.push({ text: buf.trim(), line: start });
    buf = '';
  }
  if (buf.trim()) out.push({ text: buf.trim(), line: start });
  return out;
}

function eggName(url: string): string | undefined {
  const m = /[#&]egg=([A-Za-z0-9._-]+)/.exec(url);
  return m?.[1];
}

/** `pkg-1.2.3.tar.gz` / `pkg-1.2.3-py3-none-any.whl` -> name and version. */
function nameFromArchive(url: string): { name: string; version: string } | undefined {
  const base = decodeURIComponent(url.split(/[?#]/)[0]!.split('/').pop() ?? '');
  const whl = /^([A-Za-z0-9_.]+)-([^-]+)-.*\.whl$/.exec(base);
  if (whl) return { name: whl[1]!, version: whl[2]! };
  const sdist = /^([A-Za-z0-9_.-]+?)-(\d[^-]*)\.(tar\.gz|zip|tar\.bz2|tgz)$/.exec(base);
  if (sdist) return { name: sdist[1]!, version: sdist[2]! };
  return undefined;
}

/** Index options (`-i`, `--extra-index-url`) seen while reading one extraction's files. */
const indexOptions = new WeakMap<Extraction, string[]>();

const isDevFile = (f: string) =>
  /(^|[-_./])(dev|test|tests|testing|lint|docs|ci)([-_.]|$)/i.test(path.basename(f));

async function parseFile(
  rel: string,
  displayFile: string,
  text: string,
  ctx: ExtractContext,
  seen: Set<string>,
  out: Extraction,
): Promise<void> {
  const dev = isDevFile(rel);
  // index options apply to the whole pip run, wherever they appear: collected for the extraction
  const options = indexOptions.get(out)!;
  for (const { text: l, line } of logicalLines(text)) {
    // options first
    const opt = /^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(l);
    if (opt) {
      const sub = path.posix.join(path.posix.dirname(rel), opt[2]!);
      if (opt[1] === '-c' || opt[1] === '--constraint') continue; // constraints pin, they add nothing
      if (seen.has(sub)) continue;
      seen.add(sub);
      const subText = await ctx.readSibling(sub);
      if (subText === undefined) {
        throw new ExtractError(`line ${line}: included file "${opt[2]}" cannot be read`);
      }
      out.included!.push(sub);
      await parseFile(sub, path.join(path.dirname(out.file), sub), subText, ctx, seen, out);
      continue;
    }
    const idx = /^(-i|--index-url|--extra-index-url)(?:\s+|=)(\S+)/.exec(l);
    if (idx) {
      options.push(`${idx[1]} ${idx[2]}`);
      if (idx[1] === '--extra-index-url') {
        out.warnings.push(
          `${displayFile}:${line}: --extra-index-url ${idx[2]} lets pip pick any same-named package from either index (dependency confusion risk)`,
        );
      }
      continue;
    }
    if (/^--?[a-z]/.test(l) && !/^(-e|--editable)\s/.test(l)) continue; // other pip options
    const hashes = [...l.matchAll(/--hash[=\s]+(\w+):([0-9a-fA-F]+)/g)].map(
      (m) => `${m[1]}:${m[2]!.toLowerCase()}`,
    );
    let req = l.replace(/--hash[=\s]+\S+/g, '').trim();
    let editable = false;
    const ed = /^(-e|--editable)\s+(.*)$/.exec(req);
    if (ed) {
      editable = true;
      req = ed[2]!.trim();
    }
    const [body, marker] = (() => {
      const i = req.indexOf(';');
      return i < 0 ? [req.trim(), undefined] : [req.slice(0, i).trim(), req.slice(i + 1).trim()];
    })();
    const base: Omit<Dependency, 'name' | 'version' | 'source'> = {
      ecosystem: 'pypi',
      file: displayFile,
      line,
    };
    if (marker) base.qualifier = marker;
    if (dev) base.dev = true;
    if (hashes.length) base.integrity = hashes.join(' ');
    // URL / path requirement without a name
    if (/^(git\+|hg\+|svn\+|bzr\+|https?:|file:|\.{0,2}\/|\.{1,2}$)/.test(body)) {
      const vcs = /^(git|hg|svn|bzr)\+/.test(body);
      const archive = nameFromArchive(body);
      const name = eggName(body) ?? archive?.name;
      if (!name) {
        out.warnings.push(`${displayFile}:${line}: cannot tell the package name of "${body}"; skipped`);
        continue;
      }
      out.dependencies.push({
        ...base,
        name,
        version: archive?.version ?? '',
        source: vcs ? 'git' : /^(https?:)/.test(body) ? 'url' : editable ? 'link' : 'file',
        resolved: body,
        direct: true,
      });
      continue;
    }
    const m = NAME.exec(body);
    if (!m) throw new ExtractError(`line ${line}: not a requirement: "${l.slice(0, 80)}"`);
    const name = m[1]!;
    const rest = body.slice(m[0].length).trim();
    const dep: Dependency = { ...base, name, version: '', source: 'registry', direct: true };
    if (rest.startsWith('@')) {
      const url = rest.slice(1).trim();
      dep.resolved = url;
      dep.source = /^(git|hg|svn|bzr)\+/.test(url) ? 'git' : /^https?:/.test(url) ? 'url' : 'file';
      dep.version = nameFromArchive(url)?.version ?? '';
    } else if (rest) {
      if (!/^(\(?\s*)(===|==|~=|!=|<=|>=|<|>)/.test(rest)) {
        throw new ExtractError(
          `line ${line}: cannot parse version specifier "${rest.slice(0, 60)}" of ${name}`,
        );
      }
      dep.spec = rest.replace(/[()\s]/g, '');
      const pin = /^(===|==)\s*([^,\s*]+)$/.exec(dep.spec);
      if (pin) dep.version = pin[2]!;
    }
    out.dependencies.push(dep);
  }
}

export const requirementsExtractor: Extractor = {
  id: 'requirements',
  ecosystem: 'pypi',
  description: 'pip requirements files (requirements*.txt: pins, hashes, -r includes, URLs, markers)',
  matches: (b) => /^(.*[-_.])?requirements([-_.].*)?\.(txt|in)$/i.test(b) || /^constraints.*\.txt$/i.test(b),
  async extract(file, text, ctx): Promise<Extraction> {
    const out: Extraction = {
      file,
      format: 'requirements',
      ecosystem: 'pypi',
      dependencies: [],
      warnings: [],
      included: [],
    };
    const rel = path.basename(file);
    indexOptions.set(out, []);
    await parseFile(rel, file, text, ctx, new Set([rel]), out);
    const options = indexOptions.get(out)!;
    if (options.length)
      for (const d of out.dependencies) if (d.source === 'registry') d.registry = options.join(' ');
    return out;
  },
};
