import path from 'node:path';

/**
 * Normalises an archive entry name to a safe relative POSIX path.
 * Returns `undefined` for names that escape the root (`..`, absolute, drive letters).
 */
export function safeRelativePath(name: string): string | undefined {
  const unified = name.replace(/\\/g, '/');
  if (unified.startsWith('/') || /^[a-zA-Z]:/.test(unified)) return undefined;
  const parts: string[] = [];
  for (const part of unified.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return undefined;
    parts.push(part);
  }
  if (parts.length === 0) return undefined;
  return path.posix.join(...parts);
}

/** Removes the first path component (npm's `package/`, an sdist's `name-1.0/`). */
export function stripFirstComponent(p: string): string {
  const i = p.indexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}
