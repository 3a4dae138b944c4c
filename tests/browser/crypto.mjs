// The browser's cryptography (web/assets/crypto) checked in Node: RFC 9496's ristretto255
// vectors, docs/verifiable-vectors.json byte for byte (the ballot's and the committee's), the
// key file's BLAKE2b, Argon2id and ChaCha20-Poly1305 against their RFCs' vectors, properties of
// random ballots, and, when given the Rust verifier, ballots encrypted here checked by the
// reference implementation.
//
//   node tests/browser/crypto.mjs
//   TINNHIEM_VERIFY_BALLOT=target/release/examples/verify_ballot node tests/browser/crypto.mjs
//
// With a chromium at $CHROMIUM (default /usr/bin/chromium) a ballot is also encrypted inside the
// browser and checked here. Prints one line per check, timings (not asserted), and
// `crypto: N passed, M failed` last; exits non-zero on any failure.

import { spawnSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as R from '../../web/assets/crypto/ristretto255.js';
import * as B from '../../web/assets/crypto/ballot.js';
import * as C from '../../web/assets/crypto/committee.js';
import * as S from '../../web/assets/crypto/sharefile.js';
import * as A from '../../web/assets/crypto/argon2.js';
import * as AEAD from '../../web/assets/crypto/chacha20poly1305.js';
import { sha256, sha512 } from '../../web/assets/crypto/sha2.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const RFC = JSON.parse(readFileSync(path.join(root, 'crypto/tests/rfc9496-vectors.json'), 'utf8'));
const VECTORS = JSON.parse(readFileSync(path.join(root, 'docs/verifiable-vectors.json'), 'utf8'));
const VERIFIER = process.env.TINNHIEM_VERIFY_BALLOT;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const { toHex: hex, fromHex: unhex } = B;
let passed = 0;
let failed = 0;

async function check(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function assertEq(got, want, what) {
  if (got !== want) throw new Error(`${what}: got ${got}, want ${want}`);
}

function throws(body) {
  try {
    body();
  } catch (e) {
    return e;
  }
  return null;
}

const scalarHex = (s) => hex(R.scalarToBytesLE(s));
const random = B.osRandom();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function randomMarks(rows, choices) {
  const bytes = new Uint8Array(rows);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b % (choices + 1) === choices ? null : b % (choices + 1)));
}

function context(seed = 0) {
  return {
    manifestHash: new Uint8Array(32).fill(0x11 + seed),
    ballotId: new Uint8Array(16).fill(0x22 + seed),
  };
}

/** What `verifyBallot` refuses, or null. */
function refusalOf(args) {
  const e = throws(() => B.verifyBallot(args));
  if (e && !e.refusal) throw e;
  return e;
}

// ---------------------------------------------------------------------------------------------
// RFC 9496 and the primitives

await check('RFC 9496 A.1: k·G for k = 0..15 encodes as the RFC says, by addition, by the generator\'s table and by windows, and decodes back', () => {
  let sum = R.IDENTITY;
  RFC.multiples_of_the_generator.forEach((want, k) => {
    for (const [how, p] of [['sum', sum], ['table', R.mulBase(BigInt(k))], ['windows', R.mul(R.BASE, BigInt(k))]]) {
      assertEq(hex(R.encode(p)), want, `${k}·G by ${how}`);
    }
    const back = R.decode(unhex(want));
    assert(R.equals(back, sum), `${k}·G decodes to another element`);
    assertEq(hex(R.encode(back)), want, `${k}·G re-encoded`);
    sum = R.add(sum, R.BASE);
  });
  assertEq(hex(R.encode(R.mulBase(R.ORDER))), RFC.multiples_of_the_generator[0], 'ℓ·G');
});

await check(`RFC 9496 A.2: all ${RFC.bad_encodings.length} bad encodings are refused by decode`, () => {
  for (const { why, encoding } of RFC.bad_encodings) {
    assert(throws(() => R.decode(unhex(encoding))), `${encoding} (${why}) was accepted`);
  }
  for (const length of [0, 31, 33]) {
    assert(throws(() => R.decode(new Uint8Array(length))), `${length} bytes accepted`);
  }
});

await check(`RFC 9496 A.3: fromUniformBytes gives the ${RFC.from_uniform_bytes.length} outputs of the one-way map`, () => {
  for (const { input, output } of RFC.from_uniform_bytes) {
    assertEq(hex(R.encode(R.fromUniformBytes(unhex(input)))), output, input);
  }
});

await check('scalars: ℓ and above refused, ℓ − 1 accepted, 64-byte reduction mod ℓ', () => {
  const l = R.scalarToBytesLE(R.ORDER - 1n);
  assertEq(R.scalarFromBytesLE(l), R.ORDER - 1n, 'ℓ − 1');
  const at = Uint8Array.from(l);
  at[0] += 1;
  assert(throws(() => R.scalarFromBytesLE(at)), 'ℓ accepted');
  assert(throws(() => R.scalarFromBytesLE(new Uint8Array(32).fill(0xff))), '2^256 − 1 accepted');
  assert(throws(() => R.scalarFromBytesLE(new Uint8Array(31))), '31 bytes accepted');
  const wide = new Uint8Array(64).fill(0xff);
  assertEq(R.scalarReduce64(wide), ((1n << 512n) - 1n) % R.ORDER, '(2^512 − 1) mod ℓ');
});

await check('SHA-256 and SHA-512 agree with node:crypto on every length from 0 to 300 bytes', () => {
  for (let n = 0; n <= 300; n++) {
    const data = new Uint8Array(n);
    crypto.getRandomValues(data);
    assertEq(hex(sha256(data)), createHash('sha256').update(data).digest('hex'), `SHA-256 of ${n} bytes`);
    assertEq(hex(sha512(data)), createHash('sha512').update(data).digest('hex'), `SHA-512 of ${n} bytes`);
  }
});

// ---------------------------------------------------------------------------------------------
// docs/verifiable-vectors.json, from the inputs and the nonce seeds

const tagText = (h) => new TextDecoder().decode(unhex(h));

await check('vector transcript: the challenge', () => {
  const t = VECTORS.transcript;
  assertEq(scalarHex(B.challenge(unhex(t.tag), t.fields.map(unhex))), t.challenge, 'challenge');
});

{
  const v = VECTORS.cell;
  const key = B.jointKey(unhex(v.joint_key));
  const fields = v.fields.map(unhex);
  const draw = B.nonceGenerator(v.nonce_seed);
  const r = draw();
  const ct = B.encrypt(key, v.m, r);
  const proof = B.proveZeroOrOne(key, ct, v.m, r, tagText(v.tag), fields, draw);

  await check('vector cell: r drawn from its seed', () => assertEq(scalarHex(r), v.r, 'r'));
  await check('vector cell: the ciphertext', () => assertEq(hex(ct.bytes), v.ciphertext, 'α ‖ β'));
  await check('vector cell: the proof (256 bytes)', () => assertEq(hex(B.proofBytes(proof)), v.proof, 'proof'));
  await check('vector cell: the compact proof (128 bytes)', () => {
    assertEq(hex(B.proofCompact(proof)), v.compact_proof, 'compact proof');
  });
  await check('vector cell: both forms verify, and neither does for another position', () => {
    const decoded = B.ciphertextFromBytes(unhex(v.ciphertext));
    const full = B.proofFromBytes(unhex(v.proof));
    assert(B.verifyZeroOrOne(key, decoded, full, 'cell', fields), 'the proof fails');
    assert(B.verifyCompact(key, decoded, unhex(v.compact_proof), 'cell', fields), 'the compact proof fails');
    const moved = [...fields.slice(0, 3), B.u32be(2)];
    assert(!B.verifyZeroOrOne(key, decoded, full, 'cell', moved), 'the proof holds for choice 3');
    assert(!B.verifyCompact(key, decoded, unhex(v.compact_proof), 'cell', moved), 'the compact proof holds for choice 3');
    assert(!B.verifyZeroOrOne(key, decoded, full, 'row', fields), 'the proof holds under the tag row');
  });
}

{
  const v = VECTORS.ballot;
  const draw = B.nonceGenerator(v.nonce_seed);
  const secret = draw();
  const key = B.jointKey(unhex(v.joint_key));
  const ctx = { manifestHash: unhex(v.manifest_hash), ballotId: unhex(v.ballot_id) };
  const rows = v.marks.length;
  const { bytes, opening } = B.encryptBallot({ key, ...ctx, choices: v.choices, marks: v.marks, draw });

  await check('vector ballot: the secret from its seed, and the joint key s·G', () => {
    assertEq(scalarHex(secret), v.secret, 'secret');
    assertEq(hex(R.encode(R.mulBase(secret))), v.joint_key, 'joint key');
  });
  await check('vector ballot: every r, row by row', () => {
    assertEq(JSON.stringify(opening.randomness.map((row) => row.map(scalarHex))), JSON.stringify(v.randomness), 'r');
  });
  await check(`vector ballot: the ballot's ${bytes.length} bytes`, () => {
    assertEq(bytes.length, B.ballotSize(rows, v.choices), 'size');
    assertEq(hex(bytes), v.ballot, 'bytes');
  });
  await check("vector ballot: the first cell's compact proof", () => {
    const first = B.proofFromBytes(bytes.subarray(64, 320));
    assertEq(hex(B.proofCompact(first)), v.first_cell_compact_proof, 'compact proof');
  });
  await check('vector ballot: the tracking code', () => {
    assertEq(hex(B.trackingCode(ctx.manifestHash, ctx.ballotId, unhex(v.ballot), rows, v.choices)), v.tracking_code, 'tracking code');
  });
  await check('vector ballot: verifies here, and its opening re-encrypts to its bytes', () => {
    B.verifyBallot({ key, ...ctx, rows, choices: v.choices, bytes: unhex(v.ballot) });
    const given = { marks: v.marks, randomness: v.randomness.map((row) => row.map(unhex)) };
    assert(B.opens(key, unhex(v.ballot), rows, v.choices, given), 'the opening does not open it');
    assert(!B.opens(key, unhex(v.ballot), rows, v.choices, { ...given, marks: [1, null] }), 'another mark opens it');
    assert(!B.opens(key, unhex(v.ballot), rows, v.choices, { ...given, marks: [2, 0] }), 'a mark on the blank row opens it');
    const high = given.randomness.map((row) => row.map(() => new Uint8Array(32).fill(0xff)));
    assert(!B.opens(key, unhex(v.ballot), rows, v.choices, { ...given, randomness: high }), 'a non-canonical r opens it');
  });
}

// ---------------------------------------------------------------------------------------------
// Properties

await check('decode(encode(x)) is x, and encode is canonical, for 64 random elements', () => {
  for (let i = 0; i < 64; i++) {
    const bytes = new Uint8Array(64);
    crypto.getRandomValues(bytes);
    const p = R.fromUniformBytes(bytes);
    const encoded = R.encode(p);
    const back = R.decode(encoded);
    assert(R.equals(back, p), 'decode(encode(x)) is another element');
    assertEq(hex(R.encode(back)), hex(encoded), 'a second encoding');
    // Another representative of the same element (x + a 4-torsion point) encodes the same.
    assertEq(hex(R.encode(R.add(p, R.IDENTITY))), hex(encoded), 'x + 0');
    assert(!R.equals(R.neg(p), p), '−x = x');
  }
});

await check('mul distributes: (a+b)·P = a·P + b·P, (ab)·P = a·(b·P), and tables, windows and multiscalar agree', () => {
  const p = R.fromUniformBytes(Uint8Array.from({ length: 64 }, (_, i) => i * 7 + 1));
  const table = R.fixedBase(p);
  for (let i = 0; i < 8; i++) {
    const [a, b] = [random(), random()];
    assert(R.equals(R.mul(p, a + b), R.add(R.mul(p, a), R.mul(p, b))), '(a+b)·P');
    assert(R.equals(R.mul(p, a * b), R.mul(R.mul(p, b), a)), '(ab)·P');
    assert(R.equals(table.mul(a), R.mul(p, a)), 'table and windows differ');
    assert(R.equals(R.mulBase(a), R.mul(R.BASE, a)), 'G table and windows differ');
    assert(R.equals(R.multiScalarMul([a, b, -a], [p, R.BASE, p]), R.mulBase(b)), 'a·P + b·G − a·P');
    assert(R.equals(R.sub(R.mul(p, a), R.mul(p, a)), R.IDENTITY), 'a·P − a·P');
  }
  assert(R.equals(R.mul(p, R.ORDER), R.IDENTITY), 'ℓ·P is not the identity');
});

await check('random ballots of several shapes, blanks included, verify here and open with their randomness', () => {
  const key = B.jointKey(R.encode(R.mulBase(random())));
  for (const [rows, choices] of [[1, 2], [3, 3], [6, 2], [5, 3], [2, 1]]) {
    const ctx = context(rows);
    const marks = randomMarks(rows, choices);
    const { bytes, opening } = B.encryptBallot({ key, ...ctx, choices, marks, draw: random });
    assertEq(bytes.length, rows * (choices * 320 + 256), 'size');
    B.verifyBallot({ key, ...ctx, rows, choices, bytes });
    assert(B.opens(key, bytes, rows, choices, opening), 'does not open');
    const other = opening.randomness.map((row) => row.map((r) => R.scalarMod(r + 1n)));
    assert(!B.opens(key, bytes, rows, choices, { ...opening, randomness: other }), 'opens with other randomness');
  }
  const ctx = context();
  const all = B.encryptBallot({ key, ...ctx, choices: 3, marks: [0, 1, 2, null], draw: random });
  const again = B.encryptBallot({ key, ...ctx, choices: 3, marks: [0, 1, 2, null], draw: random });
  assert(hex(all.bytes) !== hex(again.bytes), 'two encryptions of the same marks are equal');
  assert(throws(() => B.encryptBallot({ key, ...ctx, choices: 3, marks: [3], draw: random })), 'mark 3 of 3 accepted');
});

{
  const key = B.jointKey(R.encode(R.mulBase(random())));
  const ctx = context();
  const rows = 2;
  const choices = 3;
  const { bytes } = B.encryptBallot({ key, ...ctx, choices, marks: [1, null], draw: random });

  await check('a ballot with any byte changed is refused (every field of a cell and of a row proof, and 64 random bytes)', () => {
    const positions = [];
    for (let field = 0; field < (choices * 320 + 256) / 32; field++) positions.push(field * 32 + 5);
    for (let i = 0; i < 64; i++) positions.push(Math.floor(Math.random() * bytes.length));
    for (const at of positions) {
      const tampered = Uint8Array.from(bytes);
      tampered[at] ^= 1 << (at % 8);
      assert(refusalOf({ key, ...ctx, rows, choices, bytes: tampered }), `byte ${at} changed and accepted`);
    }
    assert(refusalOf({ key, ...ctx, rows, choices, bytes: bytes.subarray(1) }), 'a short ballot accepted');
    assert(refusalOf({ key, ...ctx, rows: 3, choices, bytes }), 'accepted as 3 rows');
  });

  await check('a ballot is refused under another ballot id or vote (a copy or a replay)', () => {
    const e1 = refusalOf({ key, ...ctx, ballotId: new Uint8Array(16), rows, choices, bytes });
    assert(e1 && e1.refusal === 'cell' && e1.row === 0 && e1.col === 0, `another ballot id: ${e1 && e1.message}`);
    const e2 = refusalOf({ key, ...ctx, manifestHash: new Uint8Array(32), rows, choices, bytes });
    assert(e2 && e2.refusal === 'cell', `another manifest: ${e2 && e2.message}`);
    const other = B.jointKey(R.encode(R.mulBase(random())));
    assert(refusalOf({ key: other, ...ctx, rows, choices, bytes }), 'accepted under another key');
  });

  await check('a scalar at ℓ in a proof, and the identity as joint key, are refused', () => {
    const tampered = Uint8Array.from(bytes);
    tampered.set(R.scalarToBytesLE(R.ORDER - 1n), 64 + 128);
    tampered[64 + 128] += 1; // c0 = ℓ
    const e = refusalOf({ key, ...ctx, rows, choices, bytes: tampered });
    assert(e && e.refusal === 'form', `c0 = ℓ: ${e && e.message}`);
    assert(throws(() => B.jointKey(new Uint8Array(32))), 'the identity accepted as a key');
  });
}

/** A row of two marks, each cell honestly proven: only its row proof can fail. */
function twoMarkBallot(key, ctx, draw) {
  const rs = [draw(), draw()];
  const parts = [];
  const cells = rs.map((r, j) => {
    const ct = B.encrypt(key, 1, r);
    const fields = [ctx.manifestHash, ctx.ballotId, B.u32be(0), B.u32be(j)];
    parts.push(ct.bytes, B.proofBytes(B.proveZeroOrOne(key, ct, 1, r, 'cell', fields, draw)));
    return ct;
  });
  const sum = B.ciphertextFromBytes(
    Uint8Array.from([
      ...R.encode(R.add(cells[0].alpha, cells[1].alpha)),
      ...R.encode(R.add(cells[0].beta, cells[1].beta)),
    ]),
  );
  const rSum = R.scalarMod(rs[0] + rs[1]);
  const rowFields = [ctx.manifestHash, ctx.ballotId, B.u32be(0)];
  parts.push(B.proofBytes(B.proveZeroOrOne(key, sum, 1, rSum, 'row', rowFields, draw)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

await check('a row holding two marks is refused, naming the row', () => {
  const key = B.jointKey(R.encode(R.mulBase(random())));
  const ctx = context();
  const bytes = twoMarkBallot(key, ctx, random);
  const e = refusalOf({ key, ...ctx, rows: 1, choices: 2, bytes });
  assert(e && e.refusal === 'row' && e.row === 0, `refusal: ${e && e.message}`);
});

await check('the manifest hash is SHA-256 of the framed fields of §11', () => {
  const key = R.encode(R.mulBase(7n));
  const m = {
    voteId: '00000000-0000-4000-8000-000000000001',
    councilId: '00000000-0000-4000-8000-000000000002',
    kind: 'rating',
    choices: 3,
    subjectIds: ['00000000-0000-4000-8000-000000000003', '00000000-0000-4000-8000-000000000004'],
    committeeId: '00000000-0000-4000-8000-000000000005',
    threshold: 2,
    size: 3,
    jointKey: key,
  };
  const hash = createHash('sha256');
  const frame = (x) => {
    const b = typeof x === 'string' ? Buffer.from(x) : Buffer.from(x);
    const n = Buffer.alloc(4);
    n.writeUInt32BE(b.length);
    hash.update(n).update(b);
  };
  const u32 = (i) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(i);
    return b;
  };
  [B.PROTOCOL, 'manifest', m.voteId, m.councilId, m.kind, u32(3), u32(2), ...m.subjectIds, m.committeeId, u32(2), u32(3), key].forEach(frame);
  assertEq(hex(B.manifestHash(m)), hash.digest('hex'), 'manifest hash');
});

// ---------------------------------------------------------------------------------------------
// Timings (reported, not asserted) and the ballot the cross-checks use

const SHAPE = { rows: 44, choices: 3 };
const MARKS = Array.from({ length: SHAPE.rows }, (_, i) => (i % 4 === 3 ? null : i % 4));
const key = (() => {
  const t = performance.now();
  const k = B.jointKey(R.encode(R.mulBase(random())));
  console.log(`time joint key's table: ${(performance.now() - t).toFixed(0)} ms`);
  return k;
})();
const ctx = context(3);
const encryptMs = [];
const verifyMs = [];
let ballot = null;
for (let i = 0; i < 5; i++) {
  let t = performance.now();
  ballot = B.encryptBallot({ key, ...ctx, choices: SHAPE.choices, marks: MARKS, draw: random });
  encryptMs.push(performance.now() - t);
  t = performance.now();
  B.verifyBallot({ key, ...ctx, ...SHAPE, bytes: ballot.bytes });
  verifyMs.push(performance.now() - t);
}
console.log(
  `time ${SHAPE.rows}×${SHAPE.choices} ballot in node ${process.version}: encrypt with proofs ${median(encryptMs).toFixed(0)} ms, ` +
    `verify ${median(verifyMs).toFixed(0)} ms (medians of 5; ${ballot.bytes.length} bytes)`,
);

// ---------------------------------------------------------------------------------------------
// The committee's cryptography (committee.js): the `ceremony` and `partial_decryption` vectors

await check('ceremony vector: commitments, coefficient proofs, the sealed value and its opening, byte for byte', () => {
  const v = VECTORS.ceremony;
  const draw = B.nonceGenerator(v.nonce_seed);
  const coefficients = Array.from({ length: v.threshold }, () => draw());
  const fields = v.context.map(unhex);
  const commitments = C.commitments(coefficients);
  assertEq(commitments.map(hex).join(','), v.commitments.join(','), 'commitments');
  const proofs = C.coefficientProofs(fields, coefficients, draw);
  assertEq(proofs.map(hex).join(','), v.proofs.join(','), 'proofs');
  const points = commitments.map(R.decode);
  assert(C.coefficientsProven(fields, points, proofs), 'the proofs do not verify');
  const recipient = draw();
  assertEq(scalarHex(recipient), v.recipient_secret, 'recipient secret');
  assertEq(hex(R.encode(R.mulBase(recipient))), v.recipient_key, 'recipient key');
  const value = C.valueAt(coefficients, 3);
  assertEq(scalarHex(value), v.value_at_3, 'f(3)');
  const sealingFields = v.sealing_context.map(unhex);
  const sealed = C.seal(sealingFields, R.mulBase(recipient), value, draw);
  assertEq(hex(sealed), v.sealed.ephemeral + v.sealed.masked, 'sealed value');
  assertEq(C.open(sealingFields, sealed, recipient), value, 'opened value');
  assert(C.valueMatches(points, 3, value), 'the Feldman check refuses f(3)');
  assert(!C.valueMatches(points, 3, R.scalarMod(value + 1n)), 'the Feldman check accepts f(3) + 1');
  assert(!C.valueMatches(points, 2, value), 'the Feldman check accepts f(3) at 2');
  const other = [...fields];
  other[1] = B.u32be(2);
  assert(!C.coefficientsProven(other, points, proofs), 'a proof holds for another member');
  assert(!C.coefficientsProven(fields, [...points].reverse(), proofs), 'proofs hold for swapped commitments');
});

await check('ceremony vector: the Lagrange coefficient of 1 among {1, 2, 4}', () => {
  assertEq(scalarHex(C.lagrange(1, [1, 2, 4])), VECTORS.ceremony.lagrange_at_0_of_1_among_1_2_4, 'λ');
});

await check('partial_decryption vector: M = z·A and its equality proof, byte for byte; a changed proof fails', () => {
  const v = VECTORS.partial_decryption;
  const draw = B.nonceGenerator(v.nonce_seed);
  const z = draw();
  assertEq(scalarHex(z), v.share, 'share');
  const fields = v.fields.map(unhex);
  const A = R.decode(unhex(v.alpha));
  const { partial, proof } = C.provePartial(fields, z, A, draw);
  assertEq(hex(partial), v.partial, 'partial');
  assertEq(hex(proof), v.proof, 'proof');
  const X = R.decode(unhex(v.share_key));
  assert(C.verifyPartial(fields, X, A, R.decode(partial), proof), 'refused');
  const bad = Uint8Array.from(proof);
  bad[70] ^= 1;
  assert(!C.verifyPartial(fields, X, A, R.decode(partial), bad), 'a changed proof holds');
  assertEq(fields.map(hex).join(), C.decryptionFields(fields[0], fields[1], 3, 0, 0).map(hex).join(), 'the context fields');
  assert(!C.verifyPartial(C.decryptionFields(fields[0], fields[1], 3, 0, 1), X, A, R.decode(partial), proof), 'holds for another cell');
  const otherList = Uint8Array.from(fields[1]);
  otherList[0] ^= 1;
  assert(!C.verifyPartial(C.decryptionFields(fields[0], otherList, 3, 0, 0), X, A, R.decode(partial), proof), 'holds for another ballot list');
});

await check('ballot_list vector: the list hash, byte for byte, whatever the order; a code more or changed differs', () => {
  const v = VECTORS.ballot_list;
  const manifest = unhex(v.manifest_hash);
  const codes = v.tracking_codes.map(unhex);
  assertEq(hex(B.ballotListHash(manifest, codes)), v.hash, 'hash');
  assertEq(hex(B.ballotListHash(manifest, [...codes].reverse())), v.hash, 'hash of the codes reversed');
  assertEq(VECTORS.partial_decryption.fields[1], v.hash, 'the list the partial decryption vector is bound to');
  assert(hex(B.ballotListHash(manifest, codes.slice(1))) !== v.hash, 'a code fewer, the same hash');
  const changed = codes.map((c) => Uint8Array.from(c));
  changed[2][31] ^= 1;
  assert(hex(B.ballotListHash(manifest, changed)) !== v.hash, 'a code changed, the same hash');
});

await check('a whole ceremony of 3 members (t = 2): shares, share keys, joint key, hashes; any 2 decrypt', () => {
  const id = 'committee-of-three';
  const t = 2;
  const draw = B.osRandom();
  const members = [1, 2, 3].map((position) => ({
    position,
    secrets: { sealing: draw(), coefficients: [draw(), draw()] },
  }));
  for (const m of members) {
    m.join = C.joinMessage(id, m.position, m.secrets);
    m.reveal = C.revealMessage(id, m.position, m.secrets);
    assertEq(C.joinMessage(id, m.position, m.secrets).commitment_hash, m.join.commitment_hash, 'join is repeatable');
    const proofs = m.reveal.proofs.map(unhex);
    const cs = m.reveal.commitments.map(unhex);
    assertEq(hex(C.commitmentHash(id, m.position, cs, proofs)), m.join.commitment_hash, 'commitment hash');
    assert(C.verifyKnowledge('sealing-key', C.memberFields(id, m.position), R.decode(unhex(m.join.sealing_key)), unhex(m.join.sealing_proof)), 'sealing proof');
    assert(C.coefficientsProven(C.memberFields(id, m.position), cs.map(R.decode), proofs), 'coefficient proofs');
    m.points = cs.map(R.decode);
  }
  const sealed = [];
  for (const s of members) {
    for (const r of members) {
      if (r === s) continue;
      const value = C.valueAt(s.secrets.coefficients, r.position);
      sealed.push({ sender: s.position, recipient: r.position, sealed: C.seal(C.sealingFields(id, s.position, r.position), R.decode(unhex(r.join.sealing_key)), value, draw) });
    }
  }
  const all = members.map((m) => m.points);
  const K = C.jointKeyOf(all);
  const shares = members.map((r) => {
    let z = C.valueAt(r.secrets.coefficients, r.position);
    for (const s of sealed.filter((x) => x.recipient === r.position)) {
      const value = C.open(C.sealingFields(id, s.sender, r.position), s.sealed, r.secrets.sealing);
      assert(C.valueMatches(all[s.sender - 1], r.position, value), 'a value fails its Feldman check');
      z = R.scalarMod(z + value);
    }
    assert(R.equals(R.mulBase(z), C.shareKeyOf(all, r.position)), 'share key');
    return z;
  });
  const secret = members.reduce((s, m) => R.scalarMod(s + m.secrets.coefficients[0]), 0n);
  assert(R.equals(R.mulBase(secret), K), 'joint key');
  for (const pair of [[1, 2], [1, 3], [2, 3]]) {
    const combined = pair.reduce((s, j) => R.scalarMod(s + C.lagrange(j, pair) * shares[j - 1]), 0n);
    assertEq(combined, secret, `members ${pair} recombine the secret`);
  }
  const published = members.map((m) => ({
    position: m.position,
    sealingKey: unhex(m.join.sealing_key),
    commitments: m.reveal.commitments.map(unhex),
    proofs: m.reveal.proofs.map(unhex),
  }));
  const h = C.ceremonyHash(id, t, published, sealed);
  const swapped = [...sealed];
  [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
  assert(hex(C.ceremonyHash(id, t, published, swapped)) !== hex(h), 'the order of sealed values is not hashed');
  assertEq(C.fingerprint('3f2a9c0177be04d5aa'), '3f2a 9c01 77be 04d5', 'fingerprint');
});

// ---------------------------------------------------------------------------------------------
// The member's key file: BLAKE2b, Argon2id, ChaCha20-Poly1305 (argon2.js, chacha20poly1305.js)

await check('BLAKE2b: RFC 7693\'s "abc", and Node\'s BLAKE2b-512 on lengths around the block size', () => {
  assertEq(
    hex(A.blake2b(new TextEncoder().encode('abc'))),
    'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
    'BLAKE2b-512("abc")',
  );
  for (const n of [0, 1, 63, 64, 127, 128, 129, 255, 256, 1024, 1028]) {
    const x = Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 255);
    assertEq(hex(A.blake2b(x)), createHash('blake2b512').update(x).digest('hex'), `${n} bytes`);
  }
});

await check('Argon2id: RFC 9106 §5.3 (m = 32 KiB, t = 3, p = 4, with secret and associated data)', () => {
  const tag = A.argon2id({
    password: new Uint8Array(32).fill(1),
    salt: new Uint8Array(16).fill(2),
    secret: new Uint8Array(8).fill(3),
    associated: new Uint8Array(12).fill(4),
    memoryKiB: 32,
    passes: 3,
    parallelism: 4,
    tagLength: 32,
  });
  assertEq(hex(tag), '0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659', 'tag');
  const started = performance.now();
  A.argon2id({ password: new TextEncoder().encode('a passphrase'), salt: new Uint8Array(16), memoryKiB: 19 * 1024, passes: 3 });
  console.log(`time Argon2id m = 19 MiB, t = 3, p = 1 in node ${process.version}: ${(performance.now() - started).toFixed(0)} ms`);
});

await check("ChaCha20-Poly1305: RFC 8439 §2.8.2, Node's OpenSSL on several lengths, a changed byte refused", () => {
  const key = unhex('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f');
  const nonce = unhex('070000004041424344454647');
  const aad = unhex('50515253c0c1c2c3c4c5c6c7');
  const text = new TextEncoder().encode(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  );
  const sealed = AEAD.seal(key, nonce, text, aad);
  assertEq(hex(sealed.subarray(0, 16)), 'd31a8d34648e60db7b86afbc53ef7ec2', 'ciphertext start');
  assertEq(hex(sealed.subarray(sealed.length - 16)), '1ae10b594f09e26a7e902ecbd0600691', 'tag');
  for (const n of [0, 1, 15, 16, 17, 64, 65, 300]) {
    const m = Uint8Array.from({ length: n }, (_, i) => (i * 13) & 255);
    const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
    c.setAAD(aad, { plaintextLength: n });
    const reference = Buffer.concat([c.update(m), c.final(), c.getAuthTag()]);
    const ours = AEAD.seal(key, nonce, m, aad);
    assertEq(hex(ours), reference.toString('hex'), `${n} bytes`);
    assertEq(hex(AEAD.open(key, nonce, ours, aad)), hex(m), `${n} bytes opened`);
    ours[ours.length - 1] ^= 1;
    assert(AEAD.open(key, nonce, ours, aad) === null, `${n} bytes: a changed tag is accepted`);
  }
});

await check("the key file: the tool's format, opened with its passphrase only; a change and a short passphrase refused", async () => {
  const state = { committee_id: 'c', position: 2, threshold: 2, size: 3, share: 'ab'.repeat(32), decrypted: [['v', 'd']] };
  const text = await S.sealShareFile(state, 'correct horse battery');
  assert(!text.includes('ab'.repeat(32)), 'the share is in the clear');
  const sealed = JSON.parse(text);
  assertEq(
    `${sealed.format} ${sealed.kdf} ${sealed.memory_kib} ${sealed.passes}`,
    'tinnhiem-committee-share/1 argon2id 19456 3',
    'format',
  );
  assertEq(JSON.stringify(await S.openShareFile(text, 'correct horse battery')), JSON.stringify(state), 'opened');
  const code = async (body) => {
    try {
      await body();
    } catch (e) {
      return e.code;
    }
    return null;
  };
  assertEq(await code(() => S.openShareFile(text, 'wrong horse battery')), 'passphrase', 'a wrong passphrase');
  const changed = { ...sealed, ciphertext: (sealed.ciphertext[0] === '0' ? '1' : '0') + sealed.ciphertext.slice(1) };
  assertEq(await code(() => S.openShareFile(JSON.stringify(changed), 'correct horse battery')), 'passphrase', 'a changed file');
  assertEq(await code(() => S.openShareFile(JSON.stringify({ ...sealed, memory_kib: 1 << 30 }), 'x')), 'form', 'a huge memory');
  assertEq(await code(() => S.sealShareFile(state, 'short')), 'passphrase', 'a short passphrase');
});

// ---------------------------------------------------------------------------------------------
// The Rust verifier (crypto/examples/verify_ballot.rs)

function rustVerify(bytes, args = {}) {
  const input = [
    `joint_key ${hex(args.key ? args.key.encoded : key.encoded)}`,
    `manifest_hash ${hex(args.manifestHash || ctx.manifestHash)}`,
    `ballot_id ${hex(args.ballotId || ctx.ballotId)}`,
    `rows ${args.rows || SHAPE.rows}`,
    `choices ${args.choices || SHAPE.choices}`,
    `ballot ${hex(bytes)}`,
    '',
  ].join('\n');
  const run = spawnSync(VERIFIER, [], { input, encoding: 'utf8' });
  if (run.error) throw run.error;
  if (run.status === 2) throw new Error(`verify_ballot: ${run.stderr.trim()}`);
  return run.stdout.trim();
}

if (VERIFIER) {
  await check(`Rust verifies a ${SHAPE.rows}×${SHAPE.choices} ballot encrypted here with OS randomness, with the same tracking code`, () => {
    const code = hex(B.trackingCode(ctx.manifestHash, ctx.ballotId, ballot.bytes, SHAPE.rows, SHAPE.choices));
    assertEq(rustVerify(ballot.bytes), `ok ${code}`, 'Rust says');
  });
  await check('Rust refuses what this code refuses: a changed byte, another ballot id, a row of two marks', () => {
    const tampered = Uint8Array.from(ballot.bytes);
    tampered[320 * 2 + 64 + 140] ^= 4;
    assert(refusalOf({ key, ...ctx, ...SHAPE, bytes: tampered }), 'accepted here');
    assert(rustVerify(tampered).startsWith('refused: '), 'a changed byte accepted by Rust');
    const otherId = new Uint8Array(16).fill(9);
    assert(rustVerify(ballot.bytes, { ballotId: otherId }).startsWith('refused: '), 'another ballot id accepted by Rust');
    const two = twoMarkBallot(key, ctx, random);
    const said = rustVerify(two, { rows: 1, choices: 2 });
    assert(said.startsWith('refused: the proof of row 1 does not hold'), `a row of two marks: ${said}`);
  });
} else {
  console.log('SKIPPED: cross-check with Rust (set TINNHIEM_VERIFY_BALLOT)');
}

// ---------------------------------------------------------------------------------------------
// In Chromium: the modules as the tablet loads them, timed there

if (existsSync(CHROMIUM)) {
  await check(`in Chromium: a ${SHAPE.rows}×${SHAPE.choices} ballot encrypted by the page verifies here${VERIFIER ? ' and in Rust' : ''}`, async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      // The modules, served as the binary serves them, from an origin that exists only here.
      const origin = 'http://127.0.0.1:9';
      await page.route(`${origin}/**`, (route) => {
        const name = new URL(route.request().url()).pathname.replace(/^\/assets\/crypto\//, '');
        const file = path.join(root, 'web/assets/crypto', name);
        if (!/^[a-z0-9]+\.js$/.test(name) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
        return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: readFileSync(file, 'utf8') });
      });
      await page.route(`${origin}/`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>crypto</title>' }));
      await page.goto(`${origin}/`);
      const result = await page.evaluate(
        async ({ keyHex, manifestHex, idHex, marks, choices }) => {
          const B = await import('/assets/crypto/ballot.js');
          let t = performance.now();
          const key = B.jointKey(B.fromHex(keyHex));
          const tableMs = performance.now() - t;
          const times = [];
          let bytes;
          for (let i = 0; i < 5; i++) {
            t = performance.now();
            ({ bytes } = B.encryptBallot({
              key,
              manifestHash: B.fromHex(manifestHex),
              ballotId: B.fromHex(idHex),
              choices,
              marks,
              draw: B.osRandom(),
            }));
            times.push(performance.now() - t);
          }
          t = performance.now();
          B.verifyBallot({ key, manifestHash: B.fromHex(manifestHex), ballotId: B.fromHex(idHex), rows: marks.length, choices, bytes });
          const verifyMs = performance.now() - t;
          return { hex: B.toHex(bytes), times, tableMs, verifyMs, agent: navigator.userAgent };
        },
        { keyHex: hex(key.encoded), manifestHex: hex(ctx.manifestHash), idHex: hex(ctx.ballotId), marks: MARKS, choices: SHAPE.choices },
      );
      const version = (result.agent.match(/Chrome\/[\d.]+/) || ['Chromium'])[0];
      console.log(
        `time ${SHAPE.rows}×${SHAPE.choices} ballot in ${version}: joint key's table ${result.tableMs.toFixed(0)} ms, ` +
          `encrypt with proofs ${median(result.times).toFixed(0)} ms (median of 5, first ${result.times[0].toFixed(0)} ms), ` +
          `verify ${result.verifyMs.toFixed(0)} ms`,
      );
      const bytes = unhex(result.hex);
      B.verifyBallot({ key, ...ctx, ...SHAPE, bytes });
      if (VERIFIER) assert(rustVerify(bytes).startsWith('ok '), 'Rust refuses the ballot made in Chromium');
    } finally {
      await browser.close();
    }
  });
  await check("in Chromium: the key file's Argon2id (m = 19 MiB, t = 3) gives Node's key, timed", async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const origin = 'http://127.0.0.1:9';
      await page.route(`${origin}/**`, (route) => {
        const name = new URL(route.request().url()).pathname.replace(/^\/assets\/crypto\//, '');
        const file = path.join(root, 'web/assets/crypto', name);
        if (!/^[a-z0-9]+\.js$/.test(name) || !existsSync(file)) return route.fulfill({ status: 404, body: '' });
        return route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: readFileSync(file, 'utf8') });
      });
      await page.route(`${origin}/`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>kdf</title>' }));
      await page.goto(`${origin}/`);
      const result = await page.evaluate(async () => {
        const A = await import('/assets/crypto/argon2.js');
        const started = performance.now();
        const key = A.argon2id({ password: new TextEncoder().encode('a passphrase'), salt: new Uint8Array(16).fill(5), memoryKiB: 19 * 1024, passes: 3 });
        return { ms: performance.now() - started, key: Array.from(key) };
      });
      const here = A.argon2id({ password: new TextEncoder().encode('a passphrase'), salt: new Uint8Array(16).fill(5), memoryKiB: 19 * 1024, passes: 3 });
      assertEq(hex(Uint8Array.from(result.key)), hex(here), 'the key in Chromium');
      console.log(`time Argon2id m = 19 MiB, t = 3, p = 1 in Chromium: ${result.ms.toFixed(0)} ms`);
    } finally {
      await browser.close();
    }
  });
} else {
  console.log(`SKIPPED: in Chromium (no chromium at ${CHROMIUM}; set CHROMIUM)`);
}

console.log(`crypto: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
