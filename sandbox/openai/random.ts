import { createHash } from 'node:crypto';

/** A 32-bit hash of anything JSON-able: the same input always gives the same number. */
export function hash32(...parts: unknown[]): number {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest();
  return digest.readUInt32BE(0);
}

/** Short stable hex id (for `chatcmpl-…`, `modr-…`). */
export function stableId(...parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks one element deterministically for `key`. */
export function pick<T>(items: readonly T[], key: number): T {
  return items[key % items.length]!;
}
