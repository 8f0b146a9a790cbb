/** Helpers for the `Record<string, number>` count maps of interval data. */

const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Add `n` to `r[key]`, creating it when absent. Safe for any key, `__proto__` included (it
 * becomes an own property, as `JSON.parse` would make it).
 */
export function addCount(r: Record<string, number>, key: string, n: number): void {
  if (hasOwn.call(r, key)) r[key] += n;
  else if (key === '__proto__') {
    Object.defineProperty(r, key, { value: n, writable: true, enumerable: true, configurable: true });
  } else r[key] = n;
}

/** Sum count maps into a fresh one; zero counts are left out. */
export function mergeCounts(maps: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const r: Record<string, number> = {};
  for (const m of maps) {
    if (!m) continue;
    for (const key of Object.keys(m)) {
      const n = m[key];
      if (typeof n === 'number' && n !== 0) addCount(r, key, n);
    }
  }
  for (const key of Object.keys(r)) if (r[key] === 0) delete r[key];
  return r;
}
