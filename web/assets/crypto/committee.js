// A counting committee member's cryptography, on their own device: docs/verifiable.md §4.2
// (the equality proof of a partial decryption), §4.3 (knowledge proofs), §6 (polynomials,
// Feldman commitments, values sealed to each member, shares), §7 (Lagrange coefficients) and
// §10 (the commitment and ceremony hashes). The Rust crate tinnhiem-crypto is the reference;
// tests/browser/crypto.mjs checks these bytes against its vectors.

import * as R from './ristretto255.js';
import { sha256, sha512 } from './sha2.js';
import { PROTOCOL, challenge, u32be, toHex, fromHex, framed, concat } from './ballot.js';

const utf8 = new TextEncoder();

/** A point from 32 bytes that must not be the identity (keys, commitments). */
export function decodeKey(bytes) {
  const p = R.decode(bytes);
  if (R.equals(p, R.IDENTITY)) throw new Error('the identity is not a key');
  return p;
}

// ---------------------------------------------------------------------------------------------
// §4.3 Knowledge of a logarithm: a ‖ v, 64 bytes

/** Proves knowledge of x for C = x·G: a = w·G, v = w + c·x, c over (fields…, C, a). */
export function proveKnowledge(tag, fields, x, draw) {
  const w = draw();
  const a = R.encode(R.mulBase(w));
  const c = challenge(tag, [...fields, R.encode(R.mulBase(x)), a]);
  return concat([a, R.scalarToBytesLE(R.scalarMod(w + c * x))]);
}

/** Whether `proof` (64 bytes) shows knowledge of log_G(C); C is a point. */
export function verifyKnowledge(tag, fields, C, proof) {
  if (!(proof instanceof Uint8Array) || proof.length !== 64) return false;
  let a, v;
  try {
    a = R.decode(proof.subarray(0, 32));
    v = R.scalarFromBytesLE(proof.subarray(32, 64));
  } catch {
    return false;
  }
  const c = challenge(tag, [...fields, R.encode(C), proof.subarray(0, 32)]);
  return R.equals(R.mulBase(v), R.add(a, R.mul(C, c)));
}

/** The sealing key's proof context (§10 `join`): committee id, u32be(position). */
export function memberFields(committeeId, position) {
  return [utf8.encode(committeeId), u32be(position)];
}

// ---------------------------------------------------------------------------------------------
// §6 Polynomials and commitments

/** C_k = a_k·G, as 32-byte encodings. */
export function commitments(coefficients) {
  return coefficients.map((a) => R.encode(R.mulBase(a)));
}

/** Each coefficient's knowledge proof, tag `coefficient`, fields context…, u32be(k). */
export function coefficientProofs(fields, coefficients, draw) {
  return coefficients.map((a, k) => proveKnowledge('coefficient', [...fields, u32be(k)], a, draw));
}

/** Whether every commitment (points) has its proof (64 bytes each). */
export function coefficientsProven(fields, points, proofs) {
  return (
    points.length === proofs.length &&
    points.every((C, k) => verifyKnowledge('coefficient', [...fields, u32be(k)], C, proofs[k]))
  );
}

/** f(index) = Σ a_k·index^k mod ℓ. */
export function valueAt(coefficients, index) {
  const x = BigInt(index);
  return coefficients.reduceRight((acc, a) => R.scalarMod(acc * x + a), 0n);
}

/** Σ_k index^k·C_k: what f(index)·G must be (commitments as points). */
export function committedValueAt(points, index) {
  const x = BigInt(index);
  let power = 1n;
  const powers = points.map(() => {
    const p = power;
    power = R.scalarMod(power * x);
    return p;
  });
  return R.multiScalarMul(powers, points);
}

/** The Feldman check: value·G = Σ_k index^k·C_k. */
export function valueMatches(points, index, value) {
  return R.equals(R.mulBase(value), committedValueAt(points, index));
}

/** K = Σ_i C_i0 (each member's commitments as points). */
export function jointKeyOf(allPoints) {
  return allPoints.reduce((k, c) => R.add(k, c[0]), R.IDENTITY);
}

/** Z_j = Σ_i Σ_k j^k·C_ik, the key of member j's share. */
export function shareKeyOf(allPoints, index) {
  return allPoints.reduce((k, c) => R.add(k, committedValueAt(c, index)), R.IDENTITY);
}

/** λ of member `index` among `indices` at 0: Π l / (l − index) mod ℓ. */
export function lagrange(index, indices) {
  const i = BigInt(index);
  let num = 1n;
  let den = 1n;
  for (const other of indices) {
    if (other === index) continue;
    const j = BigInt(other);
    num = R.scalarMod(num * j);
    den = R.scalarMod(den * (j - i));
  }
  return R.scalarMod(num * invert(den));
}

function invert(x) {
  // Fermat: x^(ℓ−2) mod ℓ.
  let result = 1n;
  let base = R.scalarMod(x);
  let e = R.ORDER - 2n;
  while (e > 0n) {
    if (e & 1n) result = (result * base) % R.ORDER;
    base = (base * base) % R.ORDER;
    e >>= 1n;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// §6 A value sealed to one member: R ‖ (value + mask), 64 bytes

/** The sealing context: committee id, u32be(sender), u32be(recipient). */
export function sealingFields(committeeId, sender, recipient) {
  return [utf8.encode(committeeId), u32be(sender), u32be(recipient)];
}

function mask(fields, ephemeral, shared) {
  return challenge('share-mask', [...fields, ephemeral, R.encode(shared)]);
}

/** Seals `value` to the member whose key is `recipient` (a point); e is drawn from `draw`. */
export function seal(fields, recipient, value, draw) {
  const e = draw();
  const ephemeral = R.encode(R.mulBase(e));
  const masked = R.scalarMod(value + mask(fields, ephemeral, R.mul(recipient, e)));
  return concat([ephemeral, R.scalarToBytesLE(masked)]);
}

/** Opens 64 sealed bytes with the recipient's secret; throws on a non-canonical encoding. */
export function open(fields, sealed, secret) {
  if (!(sealed instanceof Uint8Array) || sealed.length !== 64) throw new Error('a sealed value is 64 bytes');
  const ephemeral = sealed.subarray(0, 32);
  const point = R.decode(ephemeral);
  const masked = R.scalarFromBytesLE(sealed.subarray(32, 64));
  return R.scalarMod(masked - mask(fields, ephemeral, R.mul(point, secret)));
}

// ---------------------------------------------------------------------------------------------
// §10 The hashes a member publishes and confirms

/** SHA-256 over the protocol, "commitments", committee id, u32be(position), each C_k, each proof. */
export function commitmentHash(committeeId, position, commitmentBytes, proofBytes) {
  return sha256(framed([PROTOCOL, 'commitments', committeeId, u32be(position), ...commitmentBytes, ...proofBytes]));
}

/**
 * SHA-256 over the protocol, "ceremony", committee id, u32be(t), u32be(n), then for each member
 * by position its position, sealing key, commitments and proofs, then every sealed value by
 * sender then recipient. `members`: [{position, sealingKey, commitments: [], proofs: []}] (bytes);
 * `sealed`: [{sender, recipient, sealed}] (bytes), in that order.
 */
export function ceremonyHash(committeeId, threshold, members, sealed) {
  const fields = [PROTOCOL, 'ceremony', committeeId, u32be(threshold), u32be(members.length)];
  for (const m of members) {
    fields.push(u32be(m.position), m.sealingKey, ...m.commitments, ...m.proofs);
  }
  for (const s of sealed) fields.push(u32be(s.sender), u32be(s.recipient), s.sealed);
  return sha256(framed(fields));
}

/** The first 16 hex digits of the ceremony hash in groups of four, for reading aloud. */
export function fingerprint(ceremonyHashHex) {
  return (ceremonyHashHex.slice(0, 16).match(/.{1,4}/g) || []).join(' ');
}

// ---------------------------------------------------------------------------------------------
// §4.2 and §12 A partial decryption of the sums

/**
 * The context of a cell's partial decryption: the manifest hash, the hash of the list of
 * ballots summed (`ballotListHash`, §12), u32be(position), u32be(i), u32be(j).
 */
export function decryptionFields(manifestHash, ballotList, position, row, col) {
  return [manifestHash, ballotList, u32be(position), u32be(row), u32be(col)];
}

/** M = x·A and its equality proof a ‖ b ‖ v (96 bytes) for X = x·G; A is a point. */
export function provePartial(fields, x, A, draw) {
  const w = draw();
  const M = R.encode(R.mul(A, x));
  const a = R.encode(R.mulBase(w));
  const b = R.encode(R.mul(A, w));
  const c = challenge('partial-decryption', [...fields, R.encode(R.mulBase(x)), R.encode(A), M, a, b]);
  return { partial: M, proof: concat([a, b, R.scalarToBytesLE(R.scalarMod(w + c * x))]) };
}

/** Whether `proof` shows that Y = x·A for the x of X = x·G (points; proof 96 bytes). */
export function verifyPartial(fields, X, A, Y, proof) {
  if (!(proof instanceof Uint8Array) || proof.length !== 96) return false;
  let a, b, v;
  try {
    a = R.decode(proof.subarray(0, 32));
    b = R.decode(proof.subarray(32, 64));
    v = R.scalarFromBytesLE(proof.subarray(64, 96));
  } catch {
    return false;
  }
  const c = challenge('partial-decryption', [
    ...fields,
    R.encode(X),
    R.encode(A),
    R.encode(Y),
    proof.subarray(0, 32),
    proof.subarray(32, 64),
  ]);
  return R.equals(R.mulBase(v), R.add(a, R.mul(X, c))) && R.equals(R.mul(A, v), R.add(b, R.mul(Y, c)));
}

/**
 * The digest of what a member decrypts for a vote, as the command-line tool keeps it in its
 * share file: SHA-256 over each cell's sum in lowercase hex, row by row, then the ballot list
 * hash in lowercase hex. Other sums, or the same sums of another list, are then refused.
 */
export function decryptedDigest(sumsHex, ballotListHex) {
  return toHex(sha256(utf8.encode(sumsHex.flat().join('') + ballotListHex)));
}

// ---------------------------------------------------------------------------------------------
// Nonces for the member's proofs, as the command-line tool draws them (src/committee_tool)

/**
 * Scalars drawn from a hash of the member's secrets with a tag: fixed for given secrets,
 * unknowable without them, so that a join repeated after a reload publishes the very same hash
 * and the reveal matches it. seed = SHA-512("tinnhiem ceremony proof nonces" ‖ u32be(len(tag))
 * ‖ tag ‖ sealing secret ‖ committee id ‖ u32be(position) ‖ each coefficient); the n-th draw is
 * SHA-512(seed ‖ u64be(n)) read little-endian mod ℓ.
 */
export function secretNonces(tag, secrets, committeeId, position) {
  const t = utf8.encode(tag);
  const seed = sha512(
    concat([
      utf8.encode('tinnhiem ceremony proof nonces'),
      u32be(t.length),
      t,
      R.scalarToBytesLE(secrets.sealing),
      utf8.encode(committeeId),
      u32be(position),
      ...secrets.coefficients.map(R.scalarToBytesLE),
    ]),
  );
  let n = 0;
  return () => {
    const counter = new Uint8Array(8);
    new DataView(counter.buffer).setBigUint64(0, BigInt(n++));
    return R.scalarReduce64(sha512(concat([seed, counter])));
  };
}

// ---------------------------------------------------------------------------------------------
// One member's messages in the ceremony

/** What `join` sends: the sealing key, its proof, and the hash of the commitments to come. */
export function joinMessage(committeeId, position, secrets) {
  const fields = memberFields(committeeId, position);
  const proof = proveKnowledge(
    'sealing-key',
    fields,
    secrets.sealing,
    secretNonces('sealing key', secrets, committeeId, position),
  );
  const { commitments: cs, proofs } = revealParts(committeeId, position, secrets);
  return {
    sealing_key: toHex(R.encode(R.mulBase(secrets.sealing))),
    sealing_proof: toHex(proof),
    commitment_hash: toHex(commitmentHash(committeeId, position, cs, proofs)),
  };
}

function revealParts(committeeId, position, secrets) {
  const draw = secretNonces('commitments', secrets, committeeId, position);
  return {
    commitments: commitments(secrets.coefficients),
    proofs: coefficientProofs(memberFields(committeeId, position), secrets.coefficients, draw),
  };
}

/** What `reveal` sends: the commitments and their proofs. */
export function revealMessage(committeeId, position, secrets) {
  const { commitments: cs, proofs } = revealParts(committeeId, position, secrets);
  return { commitments: cs.map(toHex), proofs: proofs.map(toHex) };
}

export { toHex, fromHex };
