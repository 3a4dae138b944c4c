// A committee vote's ballot, encrypted on the delegate's own device: docs/verifiable.md §2
// (challenges), §3 (exponential ElGamal), §4.1 (zero-or-one proofs), §5 (the ballot, its bytes,
// its tracking code, its opening) and §11 (the manifest hash). The Rust crate tinnhiem-crypto is
// the reference; tests/browser/crypto.mjs checks these bytes against its vectors and verifier.

import * as R from './ristretto255.js';
import { sha256, sha512 } from './sha2.js';

export const PROTOCOL = 'tinnhiem-verifiable/1';
/** A cell on the wire: α ‖ β and its proof. */
export const CELL_BYTES = 64 + 256;
/** A row's sum proof on the wire. */
export const ROW_PROOF_BYTES = 256;

const utf8 = new TextEncoder();

function bytesOf(x) {
  return typeof x === 'string' ? utf8.encode(x) : x;
}

export function u32be(i) {
  if (!Number.isInteger(i) || i < 0 || i > 0xffffffff) throw new Error(`not a u32: ${i}`);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, i);
  return out;
}

/** frame(x1) ‖ frame(x2) ‖ …, frame(x) = u32be(len(x)) ‖ x; text is taken as UTF-8. */
export function framed(parts) {
  const all = parts.map(bytesOf);
  const out = new Uint8Array(all.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(u32be(p.length), at);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** The byte arrays one after the other. */
export function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Lowercase hex only, as on the wire; anything else is refused. */
export function fromHex(text) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-f]*$/.test(text)) {
    throw new Error('not lowercase hex');
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Standard base64, padded: how a ballot's bytes travel in JSON. */
export function toBase64(bytes) {
  let text = '';
  for (let at = 0; at < bytes.length; at += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(at, at + 0x8000));
  }
  return btoa(text);
}

/** Bytes from standard base64; throws on anything else. */
export function fromBase64(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Error('not base64');
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * A tracking code as shown to be read aloud (docs/verifiable.md §5.4): its first 16 hex digits,
 * upper case, in four groups of four, e.g. "3F2A 9C01 B7E4 0D55". The record has the whole code.
 */
export function shortCode(hex) {
  return (hex.slice(0, 16).toUpperCase().match(/.{1,4}/g) || []).join(' ');
}

function throwsOn(body) {
  try {
    body();
    return false;
  } catch {
    return true;
  }
}

function bytesEqual(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

// ---------------------------------------------------------------------------------------------
// §2 Challenges and randomness

/** SHA-512(frame(protocol) ‖ frame(tag) ‖ frame(f1) ‖ …) read little-endian, mod ℓ. */
export function challenge(tag, fields) {
  return R.scalarReduce64(sha512(framed([PROTOCOL, tag, ...fields])));
}

/** Uniform scalars from the operating system's generator: 64 bytes each, reduced mod ℓ. */
export function osRandom() {
  return () => {
    const bytes = new Uint8Array(64);
    crypto.getRandomValues(bytes);
    return R.scalarReduce64(bytes);
  };
}

/**
 * The vectors' deterministic draws (§8): the n-th is SHA-512(u32be(len(seed)) ‖ seed ‖ u64be(n))
 * read little-endian mod ℓ. For tests only: a real ballot's randomness must be secret.
 */
export function nonceGenerator(seed) {
  const prefix = framed([seed]);
  let n = 0;
  return () => {
    const counter = new Uint8Array(8);
    new DataView(counter.buffer).setBigUint64(0, BigInt(n++));
    return R.scalarReduce64(sha512(concat([prefix, counter])));
  };
}

// ---------------------------------------------------------------------------------------------
// §3 The joint key and exponential ElGamal

/**
 * The committee's key K from its 32 bytes (the identity is refused), with a table for fast
 * multiplication by it.
 */
export function jointKey(encoded) {
  const point = R.decode(encoded);
  if (R.equals(point, R.IDENTITY)) throw new Error('the joint key is the identity');
  return Object.freeze({ point, encoded: Uint8Array.from(encoded), table: R.fixedBase(point) });
}

/** A ciphertext: its points and their encodings (what the transcripts hash). */
function ciphertext(alpha, beta) {
  return { alpha, beta, bytes: concat([R.encode(alpha), R.encode(beta)]) };
}

/** (α, β) = (r·G, r·K + m·G) for m in {0, 1}. */
export function encrypt(key, m, r) {
  if (m !== 0 && m !== 1) throw new Error('only 0 or 1 is encrypted');
  // The same work for either message: adding the identity costs what adding G does.
  const beta = R.add(key.table.mul(r), m === 1 ? R.BASE : R.IDENTITY);
  return ciphertext(R.mulBase(r), beta);
}

// ---------------------------------------------------------------------------------------------
// §4.1 Zero or one

function proofChallenge(key, tag, fields, ctBytes, commitments) {
  return challenge(tag, [
    ...fields,
    key.encoded,
    ctBytes.subarray(0, 32),
    ctBytes.subarray(32, 64),
    ...commitments,
  ]);
}

/**
 * Proves that `ct` = encrypt(m, r). Draws w, then c′ and v′ (§4.1). The simulated branch's
 * commitments v′·G − c′·α and v′·K − c′·(β − f·G) are computed from r, which the prover knows
 * (α = r·G, β = r·K + m·G), so that every multiplication is by G's or K's table: the same
 * points, at a fraction of the cost.
 */
export function proveZeroOrOne(key, ct, m, r, tag, fields, draw) {
  if (m !== 0 && m !== 1) throw new Error('only 0 or 1 can be proven');
  const w = draw();
  const cFake = draw();
  const vFake = draw();
  const f = 1 - m;
  const s = R.scalarMod(vFake - cFake * r);
  const fakeA = R.mulBase(s);
  // β − f·G = r·K + (m − f)·G, m − f = ±1
  const fakeB = R.add(key.table.mul(s), R.mulBase(m === 1 ? -cFake : cFake));
  const realA = R.mulBase(w);
  const realB = key.table.mul(w);
  const points = m === 0 ? [realA, realB, fakeA, fakeB] : [fakeA, fakeB, realA, realB];
  const commitments = points.map(R.encode);
  const c = proofChallenge(key, tag, fields, ct.bytes, commitments);
  const cReal = R.scalarMod(c - cFake);
  const vReal = R.scalarMod(w + cReal * r);
  const [c0, c1, v0, v1] = m === 0 ? [cReal, cFake, vReal, vFake] : [cFake, cReal, vFake, vReal];
  return { commitments, c0, c1, v0, v1 };
}

/** a0 ‖ b0 ‖ a1 ‖ b1 ‖ c0 ‖ c1 ‖ v0 ‖ v1, 256 bytes. */
export function proofBytes(proof) {
  return concat([...proof.commitments, ...compactScalars(proof)]);
}

function compactScalars(proof) {
  return [proof.c0, proof.c1, proof.v0, proof.v1].map(R.scalarToBytesLE);
}

/** c0 ‖ c1 ‖ v0 ‖ v1, 128 bytes. */
export function proofCompact(proof) {
  return concat(compactScalars(proof));
}

function scalarsAt(bytes, from, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    out.push(R.scalarFromBytesLE(bytes.subarray(from + 32 * i, from + 32 * (i + 1))));
  }
  return out;
}

/** Decodes 256 bytes; throws on any non-canonical point or scalar. */
export function proofFromBytes(bytes) {
  if (bytes.length !== 256) throw new Error('a zero-or-one proof is 256 bytes');
  const commitments = [0, 1, 2, 3].map((i) => bytes.slice(32 * i, 32 * (i + 1)));
  const points = commitments.map(R.decode);
  const [c0, c1, v0, v1] = scalarsAt(bytes, 128, 4);
  return { commitments, points, c0, c1, v0, v1 };
}

/** Decodes a ciphertext's 64 bytes; throws on a non-canonical point. */
export function ciphertextFromBytes(bytes) {
  if (bytes.length !== 64) throw new Error('a ciphertext is 64 bytes');
  return {
    alpha: R.decode(bytes.subarray(0, 32)),
    beta: R.decode(bytes.subarray(32, 64)),
    bytes: Uint8Array.from(bytes),
  };
}

/** The four equations of one proof, checked apart (no batch). */
function equationsHold(key, ct, proof) {
  const [a0, b0, a1, b1] = proof.points;
  const betaMinusG = R.sub(ct.beta, R.BASE);
  // v·base = commitment + c·target
  const holds = (v, c, table, target, commitment) =>
    R.equals(R.sub(table.mul(v), R.mul(target, c)), commitment);
  const g = R.baseTableOf();
  return (
    holds(proof.v0, proof.c0, g, ct.alpha, a0) &&
    holds(proof.v0, proof.c0, key.table, ct.beta, b0) &&
    holds(proof.v1, proof.c1, g, ct.alpha, a1) &&
    holds(proof.v1, proof.c1, key.table, betaMinusG, b1)
  );
}

/** Whether a decoded proof (proofFromBytes) shows that `ct` encrypts 0 or 1. */
export function verifyZeroOrOne(key, ct, proof, tag, fields) {
  const c = proofChallenge(key, tag, fields, ct.bytes, proof.commitments);
  return R.scalarMod(proof.c0 + proof.c1) === c && equationsHold(key, ct, proof);
}

/**
 * Whether a compact proof (128 bytes) shows that `ct` encrypts 0 or 1: its commitments are
 * recomputed, then its challenge checked. Throws on a non-canonical scalar.
 */
export function verifyCompact(key, ct, compact, tag, fields) {
  if (compact.length !== 128) throw new Error('a compact proof is 128 bytes');
  const [c0, c1, v0, v1] = scalarsAt(compact, 0, 4);
  const betaMinusG = R.sub(ct.beta, R.BASE);
  const points = [
    R.sub(R.mulBase(v0), R.mul(ct.alpha, c0)),
    R.sub(key.table.mul(v0), R.mul(ct.beta, c0)),
    R.sub(R.mulBase(v1), R.mul(ct.alpha, c1)),
    R.sub(key.table.mul(v1), R.mul(betaMinusG, c1)),
  ];
  const c = proofChallenge(key, tag, fields, ct.bytes, points.map(R.encode));
  return R.scalarMod(c0 + c1) === c;
}

// ---------------------------------------------------------------------------------------------
// §5 Ballots

/** What every proof of a ballot is bound to, and its tags' fields (§4.1's table). */
function cellFields(manifestHash, ballotId, i, j) {
  return [manifestHash, ballotId, u32be(i), u32be(j)];
}

function rowFields(manifestHash, ballotId, i) {
  return [manifestHash, ballotId, u32be(i)];
}

function checkContext(manifestHash, ballotId) {
  if (!(manifestHash instanceof Uint8Array) || manifestHash.length !== 32) {
    throw new Error('a manifest hash is 32 bytes');
  }
  if (!(ballotId instanceof Uint8Array) || ballotId.length !== 16) {
    throw new Error('a ballot id is 16 bytes');
  }
}

function rowBytes(choices) {
  return choices * CELL_BYTES + ROW_PROOF_BYTES;
}

/** The size of a ballot of this shape: 53,504 bytes for 44 rows of 3 choices. */
export function ballotSize(rows, choices) {
  return rows * rowBytes(choices);
}

/**
 * Encrypts row `row` (0-based) of a ballot: `mark` is the chosen cell, 0-based, or null for a
 * blank row. Draws, in §5.1's order, one r per cell, then each cell proof's w, c′, v′, then the
 * row proof's. Returns the row's bytes (§5.2) and its cells' r. A tablet encrypts each row as
 * the delegate marks it; the rows of one ballot put end to end, in order, are the ballot.
 */
export function encryptRow({ key, manifestHash, ballotId, choices, row, mark, draw }) {
  checkContext(manifestHash, ballotId);
  if (!Number.isInteger(choices) || choices < 1) throw new Error('choices must be at least 1');
  if (mark !== null && !(Number.isInteger(mark) && mark >= 0 && mark < choices)) {
    throw new Error(`row ${row + 1}: the mark must be a choice (0 to ${choices - 1}) or null`);
  }
  const parts = [];
  const rs = [];
  for (let j = 0; j < choices; j++) rs.push(draw());
  const cells = [];
  rs.forEach((r, j) => {
    const m = mark === j ? 1 : 0;
    const ct = encrypt(key, m, r);
    const proof = proveZeroOrOne(key, ct, m, r, 'cell', cellFields(manifestHash, ballotId, row, j), draw);
    parts.push(ct.bytes, proofBytes(proof));
    cells.push(ct);
  });
  const sum = ciphertext(
    cells.reduce((acc, c) => R.add(acc, c.alpha), R.IDENTITY),
    cells.reduce((acc, c) => R.add(acc, c.beta), R.IDENTITY),
  );
  const rSum = R.scalarMod(rs.reduce((a, b) => a + b, 0n));
  const mSum = mark === null ? 0 : 1;
  const proof = proveZeroOrOne(key, sum, mSum, rSum, 'row', rowFields(manifestHash, ballotId, row), draw);
  parts.push(proofBytes(proof));
  return { bytes: concat(parts), randomness: rs };
}

/**
 * Encrypts `marks` (one entry a row: the chosen cell, 0-based, or null for a blank row) under
 * `key` with the scalars `draw` gives (osRandom() in production), drawn in §5.1's order. Returns
 * the ballot's bytes (§5.2) and its opening (marks and every cell's r), which is shown only for
 * a ballot the delegate checks instead of casting, never for a cast one.
 */
export function encryptBallot({ key, manifestHash, ballotId, choices, marks, draw }) {
  const rows = marks.map((mark, row) =>
    encryptRow({ key, manifestHash, ballotId, choices, row, mark, draw }),
  );
  return {
    bytes: concat(rows.map((r) => r.bytes)),
    opening: { marks: [...marks], randomness: rows.map((r) => r.randomness) },
  };
}

/** The ballot's rows, each its cells' (ciphertext bytes, proof bytes) and its sum proof's. */
function* layout(bytes, rows, choices) {
  const size = rowBytes(choices);
  for (let i = 0; i < rows; i++) {
    const row = bytes.subarray(i * size, (i + 1) * size);
    const cells = [];
    for (let j = 0; j < choices; j++) {
      const cell = row.subarray(j * CELL_BYTES, (j + 1) * CELL_BYTES);
      cells.push([cell.subarray(0, 64), cell.subarray(64)]);
    }
    yield { cells, sumProof: row.subarray(choices * CELL_BYTES) };
  }
}

function checkSize(bytes, rows, choices) {
  if (!(bytes instanceof Uint8Array) || bytes.length !== ballotSize(rows, choices)) {
    const n = bytes && bytes.length;
    const want = ballotSize(rows, choices);
    throw refusal('form', `${n} bytes, where a ballot of ${rows} rows of ${choices} choices has ${want}`);
  }
}

function refusal(kind, message, where = {}) {
  return Object.assign(new Error(message), { refusal: kind, ...where });
}

/** Random 128-bit weights for a batch, from the operating system's generator. */
function weights(count) {
  const words = new Uint32Array(4 * count);
  for (let at = 0; at < words.length; at += 16384) {
    crypto.getRandomValues(words.subarray(at, Math.min(words.length, at + 16384)));
  }
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    let z = 0n;
    for (let k = 0; k < 4; k++) z = (z << 32n) | BigInt(words[4 * i + k]);
    out[i] = z;
  }
  return out;
}

/**
 * Checks a ballot's bytes as §5.3 says: its shape, every encoding, every challenge, and every
 * proof's equations in one batch (weights from crypto.getRandomValues); when the batch fails,
 * each proof alone names the first that fails. Returns nothing; throws an Error whose
 * `refusal` is 'form', 'cell' (with row and col, 0-based) or 'row' (with row).
 */
export function verifyBallot({ key, manifestHash, ballotId, rows, choices, bytes }) {
  checkContext(manifestHash, ballotId);
  checkSize(bytes, rows, choices);
  const proofs = []; // [ciphertext, proof, tag, fields, where]
  let i = 0;
  for (const row of layout(bytes, rows, choices)) {
    const cts = [];
    row.cells.forEach(([ctBytes, proofBytes_], j) => {
      let ct, proof;
      try {
        ct = ciphertextFromBytes(ctBytes);
        proof = proofFromBytes(proofBytes_);
        // No randomness: anyone could read the mark, and it would be a receipt (§5.3).
        if (R.equals(ct.alpha, R.IDENTITY)) throw new Error('a ciphertext made with no randomness');
      } catch (e) {
        throw refusal('form', `row ${i + 1}, choice ${j + 1}: ${e.message}`);
      }
      cts.push(ct);
      proofs.push([ct, proof, 'cell', cellFields(manifestHash, ballotId, i, j), { row: i, col: j }]);
    });
    let proof;
    try {
      proof = proofFromBytes(row.sumProof);
    } catch (e) {
      throw refusal('form', `row ${i + 1}, the row proof: ${e.message}`);
    }
    const sum = ciphertext(
      cts.reduce((acc, c) => R.add(acc, c.alpha), R.IDENTITY),
      cts.reduce((acc, c) => R.add(acc, c.beta), R.IDENTITY),
    );
    proofs.push([sum, proof, 'row', rowFields(manifestHash, ballotId, i), { row: i }]);
    i++;
  }
  let challengesHold = true;
  for (const [ct, proof, tag, fields] of proofs) {
    const c = proofChallenge(key, tag, fields, ct.bytes, proof.commitments);
    challengesHold &&= R.scalarMod(proof.c0 + proof.c1) === c;
  }
  if (challengesHold && batchHolds(key, proofs)) return;
  for (const [ct, proof, tag, fields, where] of proofs) {
    if (!verifyZeroOrOne(key, ct, proof, tag, fields)) {
      if (tag === 'cell') {
        const at = `row ${where.row + 1} choice ${where.col + 1}`;
        throw refusal('cell', `the proof of ${at} does not hold`, where);
      }
      throw refusal('row', `the proof of row ${where.row + 1} does not hold`, where);
    }
  }
  // Only unlucky weights (chance 2^-128) get here.
  throw refusal('form', 'the proofs do not hold together');
}

/**
 * Σ over proofs of z1(v0·G − c0·α − a0) + z2(v0·K − c0·β − b0) + z3(v1·G − c1·α − a1)
 * + z4(v1·K − c1·β + c1·G − b1) is the identity (§5.3).
 */
function batchHolds(key, proofs) {
  const z = weights(4 * proofs.length);
  let g = 0n;
  let k = 0n;
  const scalars = [];
  const points = [];
  proofs.forEach(([ct, proof], n) => {
    const [z1, z2, z3, z4] = z.slice(4 * n, 4 * n + 4);
    const { c0, c1, v0, v1 } = proof;
    g += z1 * v0 + z3 * v1 + z4 * c1;
    k += z2 * v0 + z4 * v1;
    scalars.push(-(z1 * c0 + z3 * c1), -(z2 * c0 + z4 * c1), -z1, -z2, -z3, -z4);
    points.push(ct.alpha, ct.beta, ...proof.points);
  });
  const total = R.add(
    R.multiScalarMul(scalars, points),
    R.add(R.mulBase(g), key.table.mul(k)),
  );
  return R.equals(total, R.IDENTITY);
}

/**
 * §5.4: SHA-256 over the protocol, "tracking-code", the manifest hash, the ballot id and every
 * cell's α ‖ β, row by row. Takes the ballot's bytes.
 */
export function trackingCode(manifestHash, ballotId, bytes, rows, choices) {
  checkContext(manifestHash, ballotId);
  checkSize(bytes, rows, choices);
  const fields = [PROTOCOL, 'tracking-code', manifestHash, ballotId];
  for (const row of layout(bytes, rows, choices)) for (const [ct] of row.cells) fields.push(ct);
  return sha256(framed(fields));
}

/**
 * §12: the hash of a list of ballots, SHA-256 over the protocol, "ballot-list", the manifest
 * hash, u32be(how many) and every tracking code (32 bytes) in ascending order; the codes may
 * come in any order. What each partial decryption of the list's sums is bound to.
 */
export function ballotListHash(manifestHash, trackingCodes) {
  if (!(manifestHash instanceof Uint8Array) || manifestHash.length !== 32) throw new Error('a manifest hash is 32 bytes');
  const codes = trackingCodes.map((c) => {
    if (!(c instanceof Uint8Array) || c.length !== 32) throw new Error('a tracking code is 32 bytes');
    return c;
  });
  codes.sort(compareBytes);
  return sha256(framed([PROTOCOL, 'ballot-list', manifestHash, u32be(codes.length), ...codes]));
}

function compareBytes(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * §5.5: whether `bytes` hold exactly the encryption of the opening's marks with its randomness
 * (each cell re-encrypted and compared). The randomness may be scalars or their 32 bytes.
 */
export function opens(key, bytes, rows, choices, opening) {
  checkSize(bytes, rows, choices);
  const { marks, randomness } = opening;
  if (!Array.isArray(marks) || marks.length !== rows) return false;
  if (!Array.isArray(randomness) || randomness.length !== rows) return false;
  let i = 0;
  for (const row of layout(bytes, rows, choices)) {
    const mark = marks[i];
    if (mark !== null && !(Number.isInteger(mark) && mark >= 0 && mark < choices)) return false;
    if (!Array.isArray(randomness[i]) || randomness[i].length !== choices) return false;
    for (let j = 0; j < choices; j++) {
      let r = randomness[i][j];
      if (r instanceof Uint8Array) {
        // A non-canonical r (32 bytes at or above ℓ) opens nothing: refused like a wrong one.
        if (r.length !== 32 || throwsOn(() => (r = R.scalarFromBytesLE(r)))) return false;
      }
      if (typeof r !== 'bigint' || r < 0n || r >= R.ORDER) return false;
      if (!bytesEqual(encrypt(key, mark === j ? 1 : 0, r).bytes, row.cells[j][0])) return false;
    }
    i++;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// §11 The manifest hash

/**
 * SHA-256 over the protocol, "manifest", the vote id, the council id, the kind, u32be(choices),
 * u32be(number of subjects), each subject id in ballot order, the committee id, u32be(t),
 * u32be(n) and the joint key's 32 bytes. Ids are their text (36 ASCII characters).
 */
export function manifestHash(manifest) {
  const { voteId, councilId, kind, choices, subjectIds, committeeId, threshold, size } = manifest;
  const keyBytes = manifest.jointKey instanceof Uint8Array ? manifest.jointKey : manifest.jointKey.encoded;
  if (!(keyBytes instanceof Uint8Array) || keyBytes.length !== 32) {
    throw new Error('a joint key is 32 bytes');
  }
  return sha256(
    framed([
      PROTOCOL,
      'manifest',
      voteId,
      councilId,
      kind,
      u32be(choices),
      u32be(subjectIds.length),
      ...subjectIds,
      committeeId,
      u32be(threshold),
      u32be(size),
      keyBytes,
    ]),
  );
}
