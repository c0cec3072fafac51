/**
 * ClickHouse's cityHash64 in TypeScript, bit for bit: the per-row term of the cheap hash (src/storage/cheap-hash.ts)
 * computed before insert, equal to what ClickHouse 18.16 and current releases compute over the stored row.
 *
 * The rules, as ClickHouse has them (checked against both servers: test/storage/cheap-hash.test.ts):
 *  - CityHash64 is Google's CityHash **v1.0.2** (ClickHouse's contrib/cityhash102, namespace CityHash_v1_0_2), not
 *    the later v1.0.3/v1.1, whose short-string branches differ. cityHash64(String) hashes the string's bytes.
 *  - cityHash64(a, b, …) (FunctionsHashing.h, FunctionNeighbourhoodHash64 on 18.x, FunctionAnyHash now) hashes each
 *    argument on its own and folds left: h = hash(a); h = Hash128to64(uint128(low = h, high = hash(b))); … where
 *    a String argument hashes as CityHash64 of its bytes, an integer (UInt8…UInt64) as IntHash64Impl of its value
 *    widened to UInt64, a Float64 as IntHash64Impl of its IEEE-754 bits, and an Array as an argument of
 *    IntHash64Impl(length) followed by one argument per element (hashed as the element type's own argument).
 *  - IntHash64Impl (SQL intHash64) is the Murmur3 finalizer of x XOR 0x4CF2D2BAAE6DA887 (Common/HashTable/Hash.h
 *    intHash64 is the finalizer alone).
 *
 * Performance: it runs on the write path for every row, so the inner arithmetic allocates nothing: a 64-bit value
 * is two 32-bit halves (hi, lo) kept as int32 bit patterns (`| 0`: small integers to V8, never boxed; uint32 values
 * above 2^31 stored in a variable would be heap numbers, and were 2× slower), products are built from 16-bit limbs
 * and Math.imul, and each helper returns the low half and leaves the high half in the module's register `H`. BigInt
 * appears only at the edges (the exported bigint functions and CityHash64Args.value()). About 1.5-2 µs a trade row
 * on the 2-core dev machine, most of it JS's shortest text of each decimal (String(x), as decimalText has it).
 */

/** High 32 bits of the last 64-bit result; every helper below returns the low 32 bits. */
let H = 0;

// CityHash v1.0.2 constants (city.cc) and Hash128to64's multiplier (city.h), as [hi, lo]
const K0H = 0xc3a5c85c | 0, K0L = 0x97cb3127 | 0;
const K1H = 0xb492b66f | 0, K1L = 0xbe98f273 | 0;
const K2H = 0x9ae16a3b | 0, K2L = 0x2f90404f | 0;
const K3H = 0xc949d7c7 | 0, K3L = 0x509e6557 | 0;
const KMULH = 0x9ddfea08 | 0, KMULL = 0xeb382d69 | 0;
// Murmur3 finalizer (intHash64 in Common/HashTable/Hash.h) and IntHash64Impl's seed (FunctionsHashing.h)
const M1H = 0xff51afd7 | 0, M1L = 0xed558ccd | 0;
const M2H = 0xc4ceb9fe | 0, M2L = 0x1a85ec53 | 0;
const SEEDH = 0x4cf2d2ba | 0, SEEDL = 0xae6da887 | 0;

/** a + b mod 2^64 */
function add(ah: number, al: number, bh: number, bl: number): number {
  const s = (al >>> 0) + (bl >>> 0); // as uint32, to see the carry
  H = (ah + bh + (s > 0xffffffff ? 1 : 0)) | 0;
  return s | 0;
}

/** a - b mod 2^64 */
function sub(ah: number, al: number, bh: number, bl: number): number {
  const l = (al >>> 0) - (bl >>> 0); // as uint32, to see the borrow
  H = (ah - bh - (l < 0 ? 1 : 0)) | 0;
  return l | 0;
}

/** a × b mod 2^64: the 64-bit product of the low halves from 16-bit limbs, the cross terms mod 2^32 (Math.imul). */
function mul(ah: number, al: number, bh: number, bl: number): number {
  const a0 = al & 0xffff, a1 = al >>> 16, b0 = bl & 0xffff, b1 = bl >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  H = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
  return Math.imul(al, bl) | 0;
}

/** Rotate right by 0 ≤ s < 64 (city.cc Rotate / RotateByAtLeast1). */
function rotr(h: number, l: number, s: number): number {
  if (s >= 32) {
    const t = h;
    h = l;
    l = t;
    s -= 32;
  }
  if (s === 0) {
    H = h | 0;
    return l | 0;
  }
  H = ((h >>> s) | (l << (32 - s))) | 0;
  return ((l >>> s) | (h << (32 - s))) | 0;
}

/** city.h Hash128to64(uint128(low, high)): ClickHouse's combineHashes for cityHash64's arguments. */
function hash128to64Parts(lowH: number, lowL: number, highH: number, highL: number): number {
  let al = mul(lowH ^ highH, lowL ^ highL, KMULH, KMULL);
  const ah = H;
  al = (al ^ (ah >>> 15)) | 0; // a ^= a >> 47
  let bl = mul(highH ^ ah, highL ^ al, KMULH, KMULL);
  const bh = H;
  bl = (bl ^ (bh >>> 15)) | 0;
  return mul(bh, bl, KMULH, KMULL);
}

/** Murmur3's finalizer (intHash64 of Common/HashTable/Hash.h). */
function murmurFinalizer(h: number, l: number): number {
  l = (l ^ (h >>> 1)) | 0; // x ^= x >> 33
  l = mul(h, l, M1H, M1L);
  h = H;
  l = (l ^ (h >>> 1)) | 0;
  l = mul(h, l, M2H, M2L);
  h = H;
  return (l ^ (h >>> 1)) | 0; // H still holds h: x >> 33 leaves the high half alone
}

/** IntHash64Impl::apply (SQL intHash64): the finalizer of x ^ 0x4CF2D2BAAE6DA887. */
function intHash64Parts(h: number, l: number): number {
  return murmurFinalizer(h ^ SEEDH, l ^ SEEDL);
}

// --- CityHash64 v1.0.2 over bytes (city.cc), little-endian loads ---

function fetch32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) | 0;
}

function hashLen0to16(b: Uint8Array, o: number, len: number): number {
  if (len > 8) {
    const al = fetch32(b, o), ah = fetch32(b, o + 4);
    const bl = fetch32(b, o + len - 8), bh = fetch32(b, o + len - 4);
    let tl = add(bh, bl, 0, len);
    tl = rotr(H, tl, len);
    const rl = hash128to64Parts(ah, al, H, tl);
    H = (H ^ bh) | 0;
    return (rl ^ bl) | 0;
  }
  if (len >= 4) {
    const a = fetch32(b, o);
    const xl = add(a >>> 29, a << 3, 0, len); // len + (a << 3)
    return hash128to64Parts(H, xl, 0, fetch32(b, o + len - 4));
  }
  if (len > 0) {
    const y = b[o] + (b[o + (len >> 1)] << 8);
    const z = len + (b[o + len - 1] << 2);
    const yl = mul(0, y, K2H, K2L);
    const yh = H;
    const zl = mul(0, z, K3H, K3L);
    const xh = (yh ^ H) | 0;
    const xl = (yl ^ zl ^ (xh >>> 15)) | 0; // ShiftMix(y * k2 ^ z * k3)
    return mul(xh, xl, K2H, K2L);
  }
  H = K2H;
  return K2L;
}

function hashLen17to32(b: Uint8Array, o: number, len: number): number {
  const al = mul(fetch32(b, o + 4), fetch32(b, o), K1H, K1L);
  const ah = H;
  const bl = fetch32(b, o + 8), bh = fetch32(b, o + 12);
  const cl = mul(fetch32(b, o + len - 4), fetch32(b, o + len - 8), K2H, K2L);
  const ch = H;
  const dl = mul(fetch32(b, o + len - 12), fetch32(b, o + len - 16), K0H, K0L);
  const dh = H;
  // u = Rotate(a - b, 43) + Rotate(c, 30) + d
  let ul = sub(ah, al, bh, bl);
  ul = rotr(H, ul, 43);
  let uh = H;
  const rcl = rotr(ch, cl, 30);
  ul = add(uh, ul, H, rcl);
  ul = add(H, ul, dh, dl);
  uh = H;
  // v = a + Rotate(b ^ k3, 20) - c + len
  let vl = rotr(bh ^ K3H, bl ^ K3L, 20);
  vl = add(ah, al, H, vl);
  vl = sub(H, vl, ch, cl);
  vl = add(H, vl, 0, len);
  return hash128to64Parts(uh, ul, H, vl);
}

function hashLen33to64(b: Uint8Array, o: number, len: number): number {
  let zl = fetch32(b, o + 24), zh = fetch32(b, o + 28);
  // a = Fetch64(s) + (len + Fetch64(s + len - 16)) * k0
  let al = add(fetch32(b, o + len - 12), fetch32(b, o + len - 16), 0, len);
  al = mul(H, al, K0H, K0L);
  al = add(H, al, fetch32(b, o + 4), fetch32(b, o));
  let ah = H;
  let bl = add(ah, al, zh, zl);
  bl = rotr(H, bl, 52);
  let bh = H;
  let cl = rotr(ah, al, 37);
  let ch = H;
  al = add(ah, al, fetch32(b, o + 12), fetch32(b, o + 8));
  ah = H;
  let tl = rotr(ah, al, 7);
  cl = add(ch, cl, H, tl);
  ch = H;
  al = add(ah, al, fetch32(b, o + 20), fetch32(b, o + 16));
  ah = H;
  const vfl = add(ah, al, zh, zl);
  const vfh = H;
  tl = rotr(ah, al, 31);
  let vsl = add(bh, bl, H, tl);
  vsl = add(H, vsl, ch, cl);
  const vsh = H;

  al = add(fetch32(b, o + 20), fetch32(b, o + 16), fetch32(b, o + len - 28), fetch32(b, o + len - 32));
  ah = H;
  zl = fetch32(b, o + len - 8);
  zh = fetch32(b, o + len - 4);
  bl = add(ah, al, zh, zl);
  bl = rotr(H, bl, 52);
  bh = H;
  cl = rotr(ah, al, 37);
  ch = H;
  al = add(ah, al, fetch32(b, o + len - 20), fetch32(b, o + len - 24));
  ah = H;
  tl = rotr(ah, al, 7);
  cl = add(ch, cl, H, tl);
  ch = H;
  al = add(ah, al, fetch32(b, o + len - 12), fetch32(b, o + len - 16));
  ah = H;
  const wfl = add(ah, al, zh, zl);
  const wfh = H;
  tl = rotr(ah, al, 31);
  let wsl = add(bh, bl, H, tl);
  wsl = add(H, wsl, ch, cl);
  const wsh = H;

  // r = ShiftMix((vf + ws) * k2 + (wf + vs) * k0); return ShiftMix(r * k0 + vs) * k2
  let xl = add(vfh, vfl, wsh, wsl);
  xl = mul(H, xl, K2H, K2L);
  const xh = H;
  let yl = add(wfh, wfl, vsh, vsl);
  yl = mul(H, yl, K0H, K0L);
  let rl = add(xh, xl, H, yl);
  let rh = H;
  rl = (rl ^ (rh >>> 15)) | 0;
  rl = mul(rh, rl, K0H, K0L);
  rl = add(H, rl, vsh, vsl);
  rh = H;
  rl = (rl ^ (rh >>> 15)) | 0;
  return mul(rh, rl, K2H, K2L);
}

// WeakHashLen32WithSeeds' result pair (first, second)
let P1H = 0, P1L = 0, P2H = 0, P2L = 0;

/** city.cc WeakHashLen32WithSeeds(s, a, b): the pair lands in P1 (first) and P2 (second). */
function weakHashLen32WithSeeds(buf: Uint8Array, p: number, ah: number, al: number, bh: number, bl: number): void {
  const wl = fetch32(buf, p), wh = fetch32(buf, p + 4);
  const xl = fetch32(buf, p + 8), xh = fetch32(buf, p + 12);
  const yl = fetch32(buf, p + 16), yh = fetch32(buf, p + 20);
  const zl = fetch32(buf, p + 24), zh = fetch32(buf, p + 28);
  al = add(ah, al, wh, wl); // a += w
  ah = H;
  bl = add(bh, bl, ah, al); // b = Rotate(b + a + z, 21)
  bl = add(H, bl, zh, zl);
  bl = rotr(H, bl, 21);
  bh = H;
  const cl = al, ch = ah;
  al = add(ah, al, xh, xl); // a += x; a += y
  al = add(H, al, yh, yl);
  ah = H;
  const rl = rotr(ah, al, 44); // b += Rotate(a, 44)
  bl = add(bh, bl, H, rl);
  bh = H;
  P1L = add(ah, al, zh, zl);
  P1H = H;
  P2L = add(bh, bl, ch, cl);
  P2H = H;
}

function hashLongerThan64(s: Uint8Array, o: number, len: number): number {
  // x = Fetch64(s); y = Fetch64(s + len - 16) ^ k1; z = Fetch64(s + len - 56) ^ k0
  let xl = fetch32(s, o), xh = fetch32(s, o + 4);
  let yl = (fetch32(s, o + len - 16) ^ K1L) | 0, yh = (fetch32(s, o + len - 12) ^ K1H) | 0;
  let zl = (fetch32(s, o + len - 56) ^ K0L) | 0, zh = (fetch32(s, o + len - 52) ^ K0H) | 0;
  weakHashLen32WithSeeds(s, o + len - 64, 0, len, yh, yl);
  let vfh = P1H, vfl = P1L, vsh = P2H, vsl = P2L;
  let t = mul(0, len, K1H, K1L);
  weakHashLen32WithSeeds(s, o + len - 32, H, t, K0H, K0L);
  let wfh = P1H, wfl = P1L, wsh = P2H, wsl = P2L;
  // z += ShiftMix(v.second) * k1
  t = mul(vsh, vsl ^ (vsh >>> 15), K1H, K1L);
  zl = add(zh, zl, H, t);
  zh = H;
  // x = Rotate(z + x, 39) * k1; y = Rotate(y, 33) * k1
  xl = add(zh, zl, xh, xl);
  xl = rotr(H, xl, 39);
  xl = mul(H, xl, K1H, K1L);
  xh = H;
  yl = rotr(yh, yl, 33);
  yl = mul(H, yl, K1H, K1L);
  yh = H;

  let n = (len - 1) & ~63; // whole 64-byte chunks, from the start
  let p = o;
  do {
    // x = Rotate(x + y + v.first + Fetch64(s + 16), 37) * k1
    xl = add(xh, xl, yh, yl);
    xl = add(H, xl, vfh, vfl);
    xl = add(H, xl, fetch32(s, p + 20), fetch32(s, p + 16));
    xl = rotr(H, xl, 37);
    xl = mul(H, xl, K1H, K1L);
    xh = H;
    // y = Rotate(y + v.second + Fetch64(s + 48), 42) * k1
    yl = add(yh, yl, vsh, vsl);
    yl = add(H, yl, fetch32(s, p + 52), fetch32(s, p + 48));
    yl = rotr(H, yl, 42);
    yl = mul(H, yl, K1H, K1L);
    yh = H;
    xl = (xl ^ wsl) | 0;
    xh = (xh ^ wsh) | 0;
    yl = (yl ^ vfl) | 0;
    yh = (yh ^ vfh) | 0;
    // z = Rotate(z ^ w.first, 33)
    zl = rotr(zh ^ wfh, zl ^ wfl, 33);
    zh = H;
    // v = WeakHashLen32WithSeeds(s, v.second * k1, x + w.first)
    t = mul(vsh, vsl, K1H, K1L);
    const th = H;
    const ul = add(xh, xl, wfh, wfl);
    weakHashLen32WithSeeds(s, p, th, t, H, ul);
    vfh = P1H;
    vfl = P1L;
    vsh = P2H;
    vsl = P2L;
    // w = WeakHashLen32WithSeeds(s + 32, z + w.second, y)
    t = add(zh, zl, wsh, wsl);
    weakHashLen32WithSeeds(s, p + 32, H, t, yh, yl);
    wfh = P1H;
    wfl = P1L;
    wsh = P2H;
    wsl = P2L;
    // swap(z, x)
    t = zl;
    zl = xl;
    xl = t;
    t = zh;
    zh = xh;
    xh = t;
    p += 64;
    n -= 64;
  } while (n !== 0);
  // HashLen16(HashLen16(v.first, w.first) + ShiftMix(y) * k1 + z, HashLen16(v.second, w.second) + x)
  let al = hash128to64Parts(vfh, vfl, wfh, wfl);
  const ah = H;
  t = mul(yh, yl ^ (yh >>> 15), K1H, K1L);
  al = add(ah, al, H, t);
  al = add(H, al, zh, zl);
  const ah2 = H;
  let bl = hash128to64Parts(vsh, vsl, wsh, wsl);
  bl = add(H, bl, xh, xl);
  return hash128to64Parts(ah2, al, H, bl);
}

/** CityHash64 v1.0.2 of b[o, o + len): returns the low half, leaves the high half in H. */
function cityHash64Parts(b: Uint8Array, o: number, len: number): number {
  if (len <= 16) return hashLen0to16(b, o, len);
  if (len <= 32) return hashLen17to32(b, o, len);
  if (len <= 64) return hashLen33to64(b, o, len);
  return hashLongerThan64(b, o, len);
}

// --- strings: UTF-8 into a reused buffer ---

let scratch = Buffer.allocUnsafe(1024);

/** UTF-8 bytes of s in `scratch` (grown as needed); returns their count. */
function utf8(s: string): number {
  const n = s.length;
  if (n <= 64) {
    // short ASCII (the common case: symbols, ids, sides) without a native call
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[i] = c;
    }
    if (i === n) return n;
  }
  if (n * 3 > scratch.length) scratch = Buffer.allocUnsafe(Math.max(n * 3, 2 * scratch.length));
  return scratch.write(s, 0, 'utf8');
}

const floatView = new DataView(new ArrayBuffer(8));

const toBig = (h: number, l: number): bigint => (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);
const MASK32 = 0xffffffffn;

/**
 * The arguments of one ClickHouse `cityHash64(a, b, …)` call, fed in order; value() is the call's result. One
 * instance is reused row after row (reset()): feeding allocates nothing. The argument types are the ones the
 * cheap hash uses; each method's doc says which SQL type it stands for.
 */
export class CityHash64Args {
  /** high and low halves of the hash so far, as int32 bit patterns (`>>> 0` reads them unsigned) */
  hi = 0;
  lo = 0;
  private first = true;

  reset(): this {
    this.hi = 0;
    this.lo = 0;
    this.first = true;
    return this;
  }

  /** The next argument's own hash (hi, lo): the first one is the hash, each later one is folded in by Hash128to64. */
  private fold(h: number, l: number): void {
    if (this.first) {
      this.first = false;
      this.hi = h;
      this.lo = l;
    } else {
      this.lo = hash128to64Parts(this.hi, this.lo, h, l);
      this.hi = H;
    }
  }

  /** A String argument: CityHash64 of its UTF-8 bytes. */
  string(s: string): this {
    const n = utf8(s); // first: it may replace `scratch` with a larger buffer
    const l = cityHash64Parts(scratch, 0, n);
    this.fold(H, l);
    return this;
  }

  /** A String argument holding bytes[offset, offset + length). */
  bytes(bytes: Uint8Array, offset: number, length: number): this {
    const l = cityHash64Parts(bytes, offset, length);
    this.fold(H, l);
    return this;
  }

  /** An unsigned integer argument (UInt8 … UInt64; a JS number up to 2^53): IntHash64Impl of its value. */
  uint(n: number): this {
    const l = intHash64Parts(Math.floor(n / 0x100000000), n | 0);
    this.fold(H, l);
    return this;
  }

  /** A UInt64 argument given as its decimal text (a `hash64` value: any UInt64, beyond 2^53 too). */
  uint64Text(text: string): this {
    // ≤ 20 digits: high ≤ 10 digits and low 10 digits are exact as numbers; value = high × 10^10 + low
    const cut = Math.max(0, text.length - 10);
    const high = cut ? Number(text.slice(0, cut)) : 0;
    const low = Number(text.slice(cut));
    let l = mul(Math.floor(high / 0x100000000), high | 0, 2, 0x540be400);
    l = add(H, l, Math.floor(low / 0x100000000), low | 0);
    l = intHash64Parts(H, l);
    this.fold(H, l);
    return this;
  }

  /** A UInt64 argument whose value is cityHash64 of bytes[offset, offset + length) (an arrayMap(x -> cityHash64(…)) element). */
  cityHashOf(bytes: Uint8Array, offset: number, length: number): this {
    let l = cityHash64Parts(bytes, offset, length);
    l = intHash64Parts(H, l);
    this.fold(H, l);
    return this;
  }

  /** A Float64 argument: IntHash64Impl of its IEEE-754 bits. */
  float64(x: number): this {
    floatView.setFloat64(0, x, true);
    const l = intHash64Parts(floatView.getInt32(4, true), floatView.getInt32(0, true));
    this.fold(H, l);
    return this;
  }

  /** The call's result so far, as a UInt64. */
  value(): bigint {
    return toBig(this.hi, this.lo);
  }
}

// --- the same functions at the edges, on bigint ---

/** CityHash64 v1.0.2 (ClickHouse's cityHash64 of one String) of a string's UTF-8 bytes, or of bytes. */
export function cityHash64(input: string | Uint8Array): bigint {
  let l: number;
  if (typeof input === 'string') {
    const n = utf8(input); // first: it may replace `scratch` with a larger buffer
    l = cityHash64Parts(scratch, 0, n);
  } else l = cityHash64Parts(input, 0, input.length);
  return toBig(H, l); // H: the high half cityHash64Parts left
}

/** city.h Hash128to64(uint128(low, high)): how cityHash64 folds a further argument's hash (high) into the hash so far (low). */
export function hash128to64(low: bigint, high: bigint): bigint {
  const l = hash128to64Parts(Number((low >> 32n) & MASK32), Number(low & MASK32), Number((high >> 32n) & MASK32), Number(high & MASK32));
  return toBig(H, l);
}

/** ClickHouse's SQL intHash64 (IntHash64Impl): Murmur3's finalizer of x XOR 0x4CF2D2BAAE6DA887; x a UInt64. */
export function intHash64(x: bigint): bigint {
  const l = intHash64Parts(Number((x >> 32n) & MASK32), Number(x & MASK32));
  return toBig(H, l);
}
