import { readFileSync } from 'node:fs';

const cache = new Map<string, unknown>();

/** Absolute URL of a file in the project's `data/` folder (works from `src/` and `dist/`). */
export function dataUrl(name: string): URL {
  return new URL(`../../data/${name}`, import.meta.url);
}

/** Loads and caches a JSON data file (IOC lists, popular names...) shipped in `data/`. */
export function loadJsonData<T>(name: string): T {
  let v = cache.get(name);
  if (v === undefined) {
    v = JSON.parse(readFileSync(dataUrl(name), 'utf8'));
    cache.set(name, v);
  }
  return v as T;
}
