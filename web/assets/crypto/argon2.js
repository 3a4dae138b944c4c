// BLAKE2b (RFC 7693) and Argon2id (RFC 9106, version 0x13), for the committee member's key file:
// the same key derivation as the command-line tool's share file (src/committee_tool/share_file.rs),
// so that the page and the tool read each other's files. 64-bit words are kept as pairs of 32-bit
// halves (low, high) in Uint32Arrays: BigInt would be far too slow for 19 MiB of memory.
// tests/browser/crypto.mjs checks both against the RFCs' vectors and Node's BLAKE2b.

// ---- 64-bit words as (lo, hi) pairs in a Uint32Array --------------------------------------

/** v[a] += v[b], on the words at 2a and 2b. */
function add64(v, a, b) {
  const lo = v[2 * a] + v[2 * b];
  const hi = v[2 * a + 1] + v[2 * b + 1] + (lo >= 0x100000000 ? 1 : 0);
  v[2 * a] = lo;
  v[2 * a + 1] = hi;
}

/** v[a] += hi:lo. */
function addWord(v, a, lo, hi) {
  const l = v[2 * a] + lo;
  v[2 * a + 1] = v[2 * a + 1] + hi + (l >= 0x100000000 ? 1 : 0);
  v[2 * a] = l;
}

/** v[d] = rotr64(v[d] ^ v[a], n). */
function xorRotr(v, d, a, n) {
  const lo = v[2 * d] ^ v[2 * a];
  const hi = v[2 * d + 1] ^ v[2 * a + 1];
  if (n === 32) {
    v[2 * d] = hi;
    v[2 * d + 1] = lo;
  } else if (n < 32) {
    v[2 * d] = (lo >>> n) | (hi << (32 - n));
    v[2 * d + 1] = (hi >>> n) | (lo << (32 - n));
  } else {
    const m = n - 32;
    v[2 * d] = (hi >>> m) | (lo << (32 - m));
    v[2 * d + 1] = (lo >>> m) | (hi << (32 - m));
  }
}

// ---- BLAKE2b -----------------------------------------------------------------------------

const IV = new Uint32Array([
  0xf3bcc908, 0x6a09e667, 0x84caa73b, 0xbb67ae85, 0xfe94f82b, 0x3c6ef372, 0x5f1d36f1, 0xa54ff53a,
  0xade682d1, 0x510e527f, 0x2b3e6c1f, 0x9b05688c, 0xfb41bd6b, 0x1f83d9ab, 0x137e2179, 0x5be0cd19,
]);

const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

function compress(h, block, counter, last) {
  const v = new Uint32Array(32);
  v.set(h);
  v.set(IV, 16);
  // The byte counter is below 2^53: its low word, then its high.
  v[24] ^= counter >>> 0;
  v[25] ^= Math.floor(counter / 0x100000000) >>> 0;
  if (last) {
    v[28] = ~v[28];
    v[29] = ~v[29];
  }
  const m = new Uint32Array(32);
  for (let i = 0; i < 32; i++) {
    m[i] = block[4 * i] | (block[4 * i + 1] << 8) | (block[4 * i + 2] << 16) | (block[4 * i + 3] << 24);
  }
  const g = (a, b, c, d, x, y) => {
    add64(v, a, b);
    addWord(v, a, m[2 * x], m[2 * x + 1]);
    xorRotr(v, d, a, 32);
    add64(v, c, d);
    xorRotr(v, b, c, 24);
    add64(v, a, b);
    addWord(v, a, m[2 * y], m[2 * y + 1]);
    xorRotr(v, d, a, 16);
    add64(v, c, d);
    xorRotr(v, b, c, 63);
  };
  for (let r = 0; r < 12; r++) {
    const s = SIGMA[r % 10];
    g(0, 4, 8, 12, s[0], s[1]);
    g(1, 5, 9, 13, s[2], s[3]);
    g(2, 6, 10, 14, s[4], s[5]);
    g(3, 7, 11, 15, s[6], s[7]);
    g(0, 5, 10, 15, s[8], s[9]);
    g(1, 6, 11, 12, s[10], s[11]);
    g(2, 7, 8, 13, s[12], s[13]);
    g(3, 4, 9, 14, s[14], s[15]);
  }
  for (let i = 0; i < 16; i++) h[i] ^= v[i] ^ v[i + 16];
}

/** BLAKE2b of `input` with an `outLength`-byte digest (1 to 64), unkeyed. */
export function blake2b(input, outLength = 64) {
  if (!Number.isInteger(outLength) || outLength < 1 || outLength > 64) throw new Error('BLAKE2b digests 1 to 64 bytes');
  const h = Uint32Array.from(IV);
  h[0] ^= 0x01010000 ^ outLength;
  const block = new Uint8Array(128);
  let at = 0;
  // Every full block but the last is compressed as it comes.
  while (input.length - at > 128) {
    compress(h, input.subarray(at, at + 128), at + 128, false);
    at += 128;
  }
  block.set(input.subarray(at));
  compress(h, block, input.length, true);
  const out = new Uint8Array(64);
  for (let i = 0; i < 16; i++) {
    out[4 * i] = h[i];
    out[4 * i + 1] = h[i] >>> 8;
    out[4 * i + 2] = h[i] >>> 16;
    out[4 * i + 3] = h[i] >>> 24;
  }
  return out.slice(0, outLength);
}

// ---- Argon2id ----------------------------------------------------------------------------

function le32(n) {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** H' of RFC 9106 §3.3: a hash of any length from BLAKE2b. */
function hashLong(input, length) {
  const x = concat([le32(length), input]);
  if (length <= 64) return blake2b(x, length);
  const out = new Uint8Array(length);
  let v = blake2b(x, 64);
  out.set(v.subarray(0, 32), 0);
  let at = 32;
  while (length - at > 64) {
    v = blake2b(v, 64);
    out.set(v.subarray(0, 32), at);
    at += 32;
  }
  out.set(blake2b(v, length - at), at);
  return out;
}

/** The 32-bit product a·b as (lo, hi), exactly. */
function mul32(a, b) {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  MUL[0] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  MUL[1] = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
}
const MUL = new Uint32Array(2);

/** a = a + b + 2·lo32(a)·lo32(b), the BlaMka step, on words at 2a and 2b of `v`. */
function blamka(v, a, b) {
  mul32(v[2 * a], v[2 * b]);
  const lo = MUL[0];
  const hi = MUL[1];
  add64(v, a, b);
  addWord(v, a, (lo << 1) >>> 0, ((hi << 1) | (lo >>> 31)) >>> 0);
}

function gb(v, a, b, c, d) {
  blamka(v, a, b);
  xorRotr(v, d, a, 32);
  blamka(v, c, d);
  xorRotr(v, b, c, 24);
  blamka(v, a, b);
  xorRotr(v, d, a, 16);
  blamka(v, c, d);
  xorRotr(v, b, c, 63);
}

/** The permutation P on the 16 words of `r` whose indices are in `w`. */
function permute(r, w) {
  gb(r, w[0], w[4], w[8], w[12]);
  gb(r, w[1], w[5], w[9], w[13]);
  gb(r, w[2], w[6], w[10], w[14]);
  gb(r, w[3], w[7], w[11], w[15]);
  gb(r, w[0], w[5], w[10], w[15]);
  gb(r, w[1], w[6], w[11], w[12]);
  gb(r, w[2], w[7], w[8], w[13]);
  gb(r, w[3], w[4], w[9], w[14]);
}

const ROWS = Array.from({ length: 8 }, (_, i) => Array.from({ length: 16 }, (_, k) => 16 * i + k));
const COLUMNS = Array.from({ length: 8 }, (_, i) =>
  Array.from({ length: 16 }, (_, k) => 2 * i + (k & 1) + 16 * (k >> 1)),
);

const R_BLOCK = new Uint32Array(256);
const T_BLOCK = new Uint32Array(256);

/**
 * The compression G of RFC 9106 §3.5 on blocks of `memory` (256 words each): out = G(x, y), or
 * out ^= G(x, y) when `xor` (passes after the first, version 0x13).
 */
function fill(memory, x, y, out, xor) {
  for (let k = 0; k < 256; k++) R_BLOCK[k] = memory[x + k] ^ memory[y + k];
  T_BLOCK.set(R_BLOCK);
  if (xor) for (let k = 0; k < 256; k++) T_BLOCK[k] ^= memory[out + k];
  for (const row of ROWS) permute(R_BLOCK, row);
  for (const column of COLUMNS) permute(R_BLOCK, column);
  for (let k = 0; k < 256; k++) memory[out + k] = T_BLOCK[k] ^ R_BLOCK[k];
}

/** G(0, G(0, input)) for the data-independent addresses, on standalone blocks. */
function addressBlock(input, zero, out) {
  const m = new Uint32Array(768);
  m.set(zero, 0);
  m.set(input, 256);
  fill(m, 0, 256, 512, false);
  fill(m, 0, 512, 256, false);
  out.set(m.subarray(256, 512));
}

/**
 * Argon2id (version 0x13): `password` and `salt` bytes, `memoryKiB` (m), `passes` (t),
 * `parallelism` (p), a `tagLength`-byte tag; optional `secret` and `associated` data.
 */
export function argon2id({ password, salt, memoryKiB, passes, parallelism = 1, tagLength = 32, secret, associated }) {
  const p = parallelism;
  if (!(p >= 1 && passes >= 1 && memoryKiB >= 8 * p && tagLength >= 4)) throw new Error('bad Argon2 parameters');
  const k = secret || new Uint8Array(0);
  const x = associated || new Uint8Array(0);
  const h0 = blake2b(
    concat([
      le32(p),
      le32(tagLength),
      le32(memoryKiB),
      le32(passes),
      le32(0x13),
      le32(2),
      le32(password.length),
      password,
      le32(salt.length),
      salt,
      le32(k.length),
      k,
      le32(x.length),
      x,
    ]),
    64,
  );
  const blocks = 4 * p * Math.floor(memoryKiB / (4 * p));
  const laneLength = blocks / p;
  const segment = laneLength / 4;
  const memory = new Uint32Array(blocks * 256);
  const at = (lane, column) => (lane * laneLength + column) * 256;
  const toWords = (bytes, offset) => {
    for (let w = 0; w < 256; w++) {
      memory[offset + w] =
        bytes[4 * w] | (bytes[4 * w + 1] << 8) | (bytes[4 * w + 2] << 16) | (bytes[4 * w + 3] << 24);
    }
  };
  for (let lane = 0; lane < p; lane++) {
    toWords(hashLong(concat([h0, le32(0), le32(lane)]), 1024), at(lane, 0));
    toWords(hashLong(concat([h0, le32(1), le32(lane)]), 1024), at(lane, 1));
  }
  const zero = new Uint32Array(256);
  const input = new Uint32Array(256);
  const addresses = new Uint32Array(256);
  for (let pass = 0; pass < passes; pass++) {
    for (let slice = 0; slice < 4; slice++) {
      for (let lane = 0; lane < p; lane++) {
        const independent = pass === 0 && slice < 2;
        if (independent) {
          input.fill(0);
          input[0] = pass;
          input[2] = lane;
          input[4] = slice;
          input[6] = blocks;
          input[8] = passes;
          input[10] = 2;
          input[12] = 0;
        }
        const first = pass === 0 && slice === 0 ? 2 : 0;
        if (independent && first) {
          input[12] += 1;
          addressBlock(input, zero, addresses);
        }
        for (let index = first; index < segment; index++) {
          const column = slice * segment + index;
          const prev = column === 0 ? laneLength - 1 : column - 1;
          let j1;
          let j2;
          if (independent) {
            if (index % 128 === 0) {
              input[12] += 1;
              addressBlock(input, zero, addresses);
            }
            j1 = addresses[2 * (index % 128)];
            j2 = addresses[2 * (index % 128) + 1];
          } else {
            j1 = memory[at(lane, prev)];
            j2 = memory[at(lane, prev) + 1];
          }
          const refLane = pass === 0 && slice === 0 ? lane : j2 % p;
          const same = refLane === lane;
          let area;
          if (pass === 0) {
            area = same ? slice * segment + index - 1 : slice * segment - (index === 0 ? 1 : 0);
          } else {
            area = same ? laneLength - segment + index - 1 : laneLength - segment - (index === 0 ? 1 : 0);
          }
          const j = BigInt(j1);
          const relative = area - 1 - Number((BigInt(area) * ((j * j) >> 32n)) >> 32n);
          const start = pass === 0 || slice === 3 ? 0 : (slice + 1) * segment;
          const refColumn = (start + relative) % laneLength;
          fill(memory, at(lane, prev), at(refLane, refColumn), at(lane, column), pass > 0);
        }
      }
    }
  }
  const last = new Uint32Array(256);
  for (let lane = 0; lane < p; lane++) {
    for (let w = 0; w < 256; w++) last[w] ^= memory[at(lane, laneLength - 1) + w];
  }
  const bytes = new Uint8Array(1024);
  for (let w = 0; w < 256; w++) {
    bytes[4 * w] = last[w];
    bytes[4 * w + 1] = last[w] >>> 8;
    bytes[4 * w + 2] = last[w] >>> 16;
    bytes[4 * w + 3] = last[w] >>> 24;
  }
  return hashLong(bytes, tagLength);
}
