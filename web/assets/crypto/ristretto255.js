// The ristretto255 group of RFC 9496, over edwards25519 in extended coordinates, with BigInt
// field arithmetic: the tablet encrypts ballots with it, and anyone can check them in a browser.
// Every decoding is canonical or refused, as the Rust side's (crypto/src/group.rs).
//
// BigInt arithmetic is not constant-time; what this code keeps is a constant structure: a
// fixed-base multiplication always adds one table entry per window, whatever the scalar.

/** The field's prime, 2^255 - 19. */
const P = (1n << 255n) - 19n;
/** The group's order ℓ. */
export const ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

// ---------------------------------------------------------------------------------------------
// The field GF(p). Values are BigInt in [0, p) after every multiplication; sums and differences
// may leave that range briefly, and the next multiplication brings them back.

function mod(x) {
  const r = x % P;
  return r < 0n ? r + P : r;
}

function mul(a, b) {
  return mod(a * b);
}

function sqr(a) {
  return mod(a * a);
}

function sqrN(a, n) {
  for (let i = 0; i < n; i++) a = mod(a * a);
  return a;
}

/** [x^(2^250 - 1), x^11]: the shared start of inversion and of the square root's power. */
function pow22501(x) {
  const x2 = sqr(x);
  const x9 = mul(x, sqrN(x2, 2));
  const x11 = mul(x2, x9);
  const e5 = mul(x9, sqr(x11)); // 2^5 - 1
  const e10 = mul(sqrN(e5, 5), e5);
  const e20 = mul(sqrN(e10, 10), e10);
  const e40 = mul(sqrN(e20, 20), e20);
  const e50 = mul(sqrN(e40, 10), e10);
  const e100 = mul(sqrN(e50, 50), e50);
  const e200 = mul(sqrN(e100, 100), e100);
  const e250 = mul(sqrN(e200, 50), e50);
  return [e250, x11];
}

/** x^(p - 2) = x^-1 (and 0 for 0). */
function invert(x) {
  const [e250, x11] = pow22501(mod(x));
  return mul(sqrN(e250, 5), x11);
}

/** x^((p - 5) / 8) = x^(2^252 - 3). */
function powP58(x) {
  const [e250] = pow22501(mod(x));
  return mul(sqrN(e250, 2), x);
}

/** RFC 9496 §4.1: negative means odd, for the canonical representative. */
function isNegative(x) {
  return (mod(x) & 1n) === 1n;
}

function abs(x) {
  x = mod(x);
  return x & 1n ? P - x : x;
}

function neg(x) {
  return x === 0n ? 0n : P - mod(x);
}

function feFromBytes(bytes) {
  let x = 0n;
  for (let i = 31; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
  return x;
}

function feToBytes(x) {
  x = mod(x);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

// Constants, derived here rather than transcribed; the RFC's test vectors check the signs.
const D = mul(P - 121665n, invert(121666n));
const D2 = mul(2n, D);
const SQRT_M1 = modPow(2n, (P - 1n) / 4n);

function modPow(base, exponent) {
  let result = 1n;
  base = mod(base);
  while (exponent > 0n) {
    if (exponent & 1n) result = mul(result, base);
    base = sqr(base);
    exponent >>= 1n;
  }
  return result;
}

/**
 * RFC 9496 §4.2 SQRT_RATIO_M1: [was_square, r] with r the non-negative square root of u/v when
 * there is one, else of SQRT_M1·u/v.
 */
function sqrtRatioM1(u, v) {
  u = mod(u);
  v = mod(v);
  const v3 = mul(sqr(v), v);
  const v7 = mul(sqr(v3), v);
  let r = mul(mul(u, v3), powP58(mul(u, v7)));
  const check = mul(v, sqr(r));
  const correct = check === u;
  const flipped = check === neg(u);
  const flippedI = check === mul(neg(u), SQRT_M1);
  if (flipped || flippedI) r = mul(r, SQRT_M1);
  return [correct || flipped, abs(r)];
}

/** The non-negative square root of x, which must be a square. */
function sqrtOf(x) {
  const [ok, r] = sqrtRatioM1(x, 1n);
  if (!ok) throw new Error('not a square');
  return r;
}

const ONE_MINUS_D_SQ = mod(1n - sqr(D));
const D_MINUS_ONE_SQ = sqr(D - 1n);
// sqrt(a·d - 1) with a = -1: RFC 9496 §4.1's constant is the negative (odd) root.
const SQRT_AD_MINUS_ONE = neg(sqrtOf(mod(-D - 1n)));
// 1/sqrt(a - d), a = -1, non-negative as in the RFC.
const INVSQRT_A_MINUS_D = sqrtRatioM1(1n, mod(-1n - D))[1];

// ---------------------------------------------------------------------------------------------
// edwards25519 points in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z.

function point(X, Y, Z, T) {
  return Object.freeze({ X, Y, Z, T });
}

/** The unified addition (Hisil–Wong–Carter–Dawson 2008, a = -1): complete on this curve. */
function edAdd(p, q) {
  const a = mul(p.Y - p.X, q.Y - q.X);
  const b = mul(p.Y + p.X, q.Y + q.X);
  const c = mul(mul(p.T, D2), q.T);
  const d = mul(2n * p.Z, q.Z);
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return point(mul(e, f), mul(g, h), mul(f, g), mul(e, h));
}

/** Addition of a point given as [Y+X, Y-X, 2d·T] with Z = 1 (a table entry). */
function edAddAffine(p, q) {
  const a = mul(p.Y - p.X, q[1]);
  const b = mul(p.Y + p.X, q[0]);
  const c = mul(p.T, q[2]);
  const d = 2n * p.Z;
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return point(mul(e, f), mul(g, h), mul(f, g), mul(e, h));
}

function edDouble(p) {
  const a = sqr(p.X);
  const b = sqr(p.Y);
  const c = 2n * sqr(p.Z);
  const e = sqr(p.X + p.Y) - a - b;
  const g = b - a;
  const f = g - c;
  const h = -a - b;
  return point(mul(e, f), mul(g, h), mul(f, g), mul(e, h));
}

function edNeg(p) {
  return point(neg(p.X), p.Y, p.Z, neg(p.T));
}

// ---------------------------------------------------------------------------------------------
// ristretto255 elements: an edwards25519 point standing for its coset; equality and encoding
// are the RFC's, never the coordinates'.

export const IDENTITY = point(0n, 1n, 1n, 0n);

/** RFC 9496 §4.3.1. Throws on every encoding the RFC refuses. */
export function decode(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new Error('a ristretto255 encoding is 32 bytes');
  }
  const s = feFromBytes(bytes);
  if (s >= P) throw new Error('not a canonical ristretto255 encoding (s is not below p)');
  if (isNegative(s)) throw new Error('not a canonical ristretto255 encoding (s is negative)');
  const ss = sqr(s);
  const u1 = mod(1n - ss);
  const u2 = mod(1n + ss);
  const u2sqr = sqr(u2);
  const v = mod(-mul(D, sqr(u1)) - u2sqr);
  const [wasSquare, invsqrt] = sqrtRatioM1(1n, mul(v, u2sqr));
  const denX = mul(invsqrt, u2);
  const denY = mul(mul(invsqrt, denX), v);
  const x = abs(mul(2n * s, denX));
  const y = mul(u1, denY);
  const t = mul(x, y);
  if (!wasSquare) throw new Error('not a ristretto255 encoding (no square root)');
  if (isNegative(t)) throw new Error('not a ristretto255 encoding (t is negative)');
  if (y === 0n) throw new Error('not a ristretto255 encoding (y is zero)');
  return point(x, y, 1n, t);
}

/** RFC 9496 §4.3.2. */
export function encode(p) {
  const { X, Y, Z, T } = p;
  const u1 = mul(Z + Y, Z - Y);
  const u2 = mul(X, Y);
  const [, invsqrt] = sqrtRatioM1(1n, mul(u1, sqr(u2)));
  const den1 = mul(invsqrt, u1);
  const den2 = mul(invsqrt, u2);
  const zInv = mul(mul(den1, den2), T);
  const rotate = isNegative(mul(T, zInv));
  let x = X;
  let y = Y;
  let denInv = den2;
  if (rotate) {
    x = mul(Y, SQRT_M1);
    y = mul(X, SQRT_M1);
    denInv = mul(den1, INVSQRT_A_MINUS_D);
  }
  if (isNegative(mul(x, zInv))) y = neg(y);
  return feToBytes(abs(mul(denInv, Z - y)));
}

/** RFC 9496 §4.3.3. */
export function equals(p, q) {
  return mul(p.X, q.Y) === mul(p.Y, q.X) || mul(p.Y, q.Y) === mul(p.X, q.X);
}

export function add(p, q) {
  return edAdd(p, q);
}

export function sub(p, q) {
  return edAdd(p, edNeg(q));
}

export { edNeg as neg };

/** The RFC 9496 §4.3.4 MAP from a field element to a point. */
function elligator(t) {
  const r = mul(SQRT_M1, sqr(t));
  const u = mul(r + 1n, ONE_MINUS_D_SQ);
  const v = mul(-1n - mul(r, D), r + D);
  let [wasSquare, s] = sqrtRatioM1(u, v);
  const sPrime = neg(abs(mul(s, t)));
  if (!wasSquare) s = sPrime;
  const c = wasSquare ? P - 1n : r;
  const n = mod(mul(mul(c, r - 1n), D_MINUS_ONE_SQ) - v);
  const w0 = mul(2n * s, v);
  const w1 = mul(n, SQRT_AD_MINUS_ONE);
  const ss = sqr(s);
  const w2 = mod(1n - ss);
  const w3 = mod(1n + ss);
  return point(mul(w0, w3), mul(w2, w1), mul(w1, w3), mul(w0, w2));
}

/** RFC 9496 §4.3.4: 64 uniformly random bytes to an element (a one-way map). */
export function fromUniformBytes(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 64) {
    throw new Error('fromUniformBytes takes 64 bytes');
  }
  const half = (b) => mod(feFromBytes(b) & ((1n << 255n) - 1n));
  return edAdd(elligator(half(bytes.subarray(0, 32))), elligator(half(bytes.subarray(32, 64))));
}

// ---------------------------------------------------------------------------------------------
// Scalars mod ℓ.

function scalarMod(x) {
  const r = x % ORDER;
  return r < 0n ? r + ORDER : r;
}

/** 32 little-endian bytes, refused unless below ℓ (no reduction on input). */
export function scalarFromBytesLE(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new Error('a scalar is 32 bytes');
  }
  const x = feFromBytes(bytes);
  if (x >= ORDER) throw new Error('not a canonical scalar (it is not below the group order)');
  return x;
}

export function scalarToBytesLE(x) {
  x = scalarMod(x);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** 64 bytes read little-endian, reduced mod ℓ: a uniform scalar from uniform bytes. */
export function scalarReduce64(bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 64) {
    throw new Error('scalarReduce64 takes 64 bytes');
  }
  let x = 0n;
  for (let i = 63; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]);
  return x % ORDER;
}

export { scalarMod };

// ---------------------------------------------------------------------------------------------
// Multiplication.

/** Signed digits of radix 2^w, each in [-2^(w-1), 2^(w-1)), for a scalar below 2^253. */
function signedDigits(k, w, count) {
  const digits = new Int16Array(count);
  const radix = 1 << w;
  const half = radix >> 1;
  let carry = 0;
  for (let i = 0; i < count; i++) {
    let d = Number(k & BigInt(radix - 1)) + carry;
    k >>= BigInt(w);
    carry = d >= half ? 1 : 0;
    digits[i] = d - carry * radix;
  }
  return digits;
}

/** Points to [Y+X, Y-X, 2d·T] with Z = 1, with one inversion for them all. */
function toAffineCached(points) {
  const n = points.length;
  const prefix = new Array(n);
  let acc = 1n;
  for (let i = 0; i < n; i++) {
    prefix[i] = acc;
    acc = mul(acc, points[i].Z);
  }
  let inv = invert(acc);
  const out = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const zInv = mul(inv, prefix[i]);
    inv = mul(inv, points[i].Z);
    const x = mul(points[i].X, zInv);
    const y = mul(points[i].Y, zInv);
    out[i] = [mod(y + x), mod(y - x), mul(D2, mul(x, y))];
  }
  return out;
}

const FIXED_W = 8;
const FIXED_WINDOWS = 33; // 33 digits of 8 bits cover 2^253 with the last carry
const IDENTITY_CACHED = [1n, 1n, 0n];

/**
 * A point with a precomputed table (33 windows of its multiples 1..128 · 256^i), for fast
 * multiplication by secret scalars: 33 additions and no doubling. Build once per point.
 */
export function fixedBase(base) {
  const half = 1 << (FIXED_W - 1);
  const raw = [];
  let windowBase = base;
  for (let i = 0; i < FIXED_WINDOWS; i++) {
    let acc = windowBase;
    raw.push(acc);
    for (let j = 2; j <= half; j++) {
      acc = edAdd(acc, windowBase);
      raw.push(acc);
    }
    windowBase = edDouble(acc); // 2 · 128 · base_i = 256 · base_i
  }
  const cached = toAffineCached(raw);
  const table = [];
  for (let i = 0; i < FIXED_WINDOWS; i++) table.push(cached.slice(i * half, (i + 1) * half));
  return Object.freeze({
    point: base,
    mul(k) {
      const digits = signedDigits(scalarMod(k), FIXED_W, FIXED_WINDOWS);
      let acc = IDENTITY;
      for (let i = 0; i < FIXED_WINDOWS; i++) {
        const d = digits[i];
        let entry;
        if (d > 0) entry = table[i][d - 1];
        else if (d < 0) {
          const e = table[i][-d - 1];
          entry = [e[1], e[0], neg(e[2])];
        } else entry = IDENTITY_CACHED;
        acc = edAddAffine(acc, entry);
      }
      return acc;
    },
  });
}

/** k·p for any point p (a 4-bit signed window, 64 windows). */
export function mulPoint(p, k) {
  const digits = signedDigits(scalarMod(k), 4, 64);
  const multiples = [p]; // 1p .. 8p
  const twice = edDouble(p);
  for (let j = 1; j < 8; j++) multiples.push(j === 1 ? twice : edAdd(multiples[j - 1], p));
  let acc = IDENTITY;
  for (let i = 63; i >= 0; i--) {
    acc = edDouble(edDouble(edDouble(edDouble(acc))));
    const d = digits[i];
    if (d > 0) acc = edAdd(acc, multiples[d - 1]);
    else if (d < 0) acc = edAdd(acc, edNeg(multiples[-d - 1]));
  }
  return acc;
}

/**
 * Σ k_i·p_i for many points, by buckets (Pippenger): what a batch verification needs. Not for
 * secret scalars: the additions done depend on them.
 */
export function multiScalarMul(scalars, points) {
  const n = points.length;
  if (n !== scalars.length) throw new Error('as many scalars as points');
  if (n === 0) return IDENTITY;
  const w = n < 32 ? 4 : n < 256 ? 6 : n < 2048 ? 8 : 10;
  const windows = Math.ceil(254 / w);
  const digits = scalars.map((k) => signedDigits(scalarMod(k), w, windows + 1));
  const buckets = new Array(1 << (w - 1));
  let total = IDENTITY;
  for (let i = windows; i >= 0; i--) {
    for (let j = 0; j < w; j++) total = edDouble(total);
    buckets.fill(null);
    for (let t = 0; t < n; t++) {
      const d = digits[t][i];
      if (d === 0) continue;
      const q = d > 0 ? points[t] : edNeg(points[t]);
      const b = Math.abs(d) - 1;
      buckets[b] = buckets[b] === null ? q : edAdd(buckets[b], q);
    }
    // Σ (b+1)·bucket_b as running sums from the top.
    let running = IDENTITY;
    let sum = IDENTITY;
    for (let b = buckets.length - 1; b >= 0; b--) {
      if (buckets[b] !== null) running = edAdd(running, buckets[b]);
      sum = edAdd(sum, running);
    }
    total = edAdd(total, sum);
  }
  return total;
}

/** The generator, RFC 9496 §4.4 (the edwards25519 base point). */
export const BASE = decode(
  Uint8Array.from(
    'e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76'
      .match(/../g)
      .map((h) => parseInt(h, 16)),
  ),
);

let baseTable = null;

/** The generator's table, built on first use. */
export function baseTableOf() {
  if (baseTable === null) baseTable = fixedBase(BASE);
  return baseTable;
}

/** k·G, by the generator's table. */
export function mulBase(k) {
  return baseTableOf().mul(k);
}

/** k·p for any point (no table): for public points such as a proof's commitments. */
export { mulPoint as mul };
