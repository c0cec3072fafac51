/**
 * Stateless, seeded randomness: every value is a hash of its coordinates (seed, exchange, symbol,
 * kind, index), so any item of the simulated market can be produced on its own, in any order, and is
 * the same on every run with the same seed.
 */

/** cyrb53: a fast 53-bit string hash with good avalanche; plenty for simulation (not for security). */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const TWO_POW_53 = 2 ** 53;

/** A uniform number in [0, 1) determined by the given coordinates. */
export function uniform(...coords: Array<string | number>): number {
  return cyrb53(coords.join('|')) / TWO_POW_53;
}

/** A uniform number in [-1, 1). */
export function signedUniform(...coords: Array<string | number>): number {
  return uniform(...coords) * 2 - 1;
}

/** An approximately standard-normal number (sum of four uniforms, rescaled): cheap and bounded. */
export function gaussian(...coords: Array<string | number>): number {
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += uniform(...coords, 'g', i);
  return (sum - 2) / Math.sqrt(4 / 12);
}

/**
 * Fractal value noise: a sum of linearly interpolated random lattices at scales baseMs·4^k, with
 * amplitudes growing like sqrt(scale) so the result behaves like a random walk (Brownian-like increments)
 * while staying a pure function of time. Result is in units of "one step at baseMs".
 */
export function walk(t: number, octaves: number, baseMs: number, ...coords: Array<string | number>): number {
  let total = 0;
  for (let k = 0; k < octaves; k++) {
    const scale = baseMs * 4 ** k;
    const cell = Math.floor(t / scale);
    const frac = t / scale - cell;
    const a = signedUniform(...coords, 'w', k, cell);
    const b = signedUniform(...coords, 'w', k, cell + 1);
    total += (a + (b - a) * frac) * 2 ** k;
  }
  return total;
}
