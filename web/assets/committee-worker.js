// The committee page's checker, a module worker: every ballot of a closed committee vote, a page
// at a time, as `tinnhiem committee decrypt` checks them (docs/verifiable.md §12): each ballot's
// proofs (§5.3) and tracking code (§5.4), no ballot id or ciphertexts twice, and each cell's sum
// recomputed. The page stays responsive meanwhile.
//
// Messages in: {type: 'start', manifestHash, jointKey, rows, choices} (hex), {type: 'page',
// ballots}, {type: 'finish'}. Out: {type: 'progress', checked}, {type: 'page-done', checked},
// {type: 'sums', sums, checked}, {type: 'refused', what, code}. The page may share a vote's
// ballots among several workers, one a core: each answers a page with what it saw (each
// ballot's id, the hash of its ciphertexts and its tracking code) and at the end the sums of
// its own ballots.
//
// It also derives the key of the member's key file (Argon2id, a second or two of work), so that
// the page does not freeze meanwhile: in {type: 'kdf', passphrase, salt, memoryKiB, passes},
// out {type: 'key', key}.

import * as R from './crypto/ristretto255.js';
import * as B from './crypto/ballot.js';
import { sha256 } from './crypto/sha2.js';
import { argon2id } from './crypto/argon2.js';

let run = null;

function refuse(what, code = '') {
  const err = new Error(what);
  err.code = code;
  throw err;
}

function base64Bytes(text) {
  let binary;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function start({ manifestHash, jointKey, rows, choices }) {
  run = {
    key: B.jointKey(B.fromHex(jointKey)),
    manifestHash: B.fromHex(manifestHash),
    rows,
    choices,
    sums: Array.from({ length: rows }, () => Array.from({ length: choices }, () => [R.IDENTITY, R.IDENTITY])),
    ids: new Set(),
    cells: new Set(),
    checked: 0,
  };
}

function checkBallot(stored) {
  const { key, manifestHash, rows, choices } = run;
  let ballotId;
  try {
    ballotId = B.fromHex(stored.ballot_id);
  } catch {
    ballotId = null;
  }
  if (!ballotId || ballotId.length !== 16) refuse('a ballot id that is not 16 bytes', stored.tracking_code);
  const bytes = base64Bytes(stored.ballot);
  if (!bytes) refuse('a ballot that is not base64', stored.tracking_code);
  try {
    B.verifyBallot({ key, manifestHash, ballotId, rows, choices, bytes });
  } catch (e) {
    refuse(e.message, stored.tracking_code);
  }
  if (B.toHex(B.trackingCode(manifestHash, ballotId, bytes, rows, choices)) !== stored.tracking_code) {
    refuse("a ballot's tracking code is not its own", stored.tracking_code);
  }
  // The cells' α ‖ β, in order: §5.2's layout.
  const rowBytes = choices * B.CELL_BYTES + B.ROW_PROOF_BYTES;
  const cts = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < choices; j++) {
      const at = i * rowBytes + j * B.CELL_BYTES;
      cts.push(bytes.subarray(at, at + 64));
    }
  }
  const all = new Uint8Array(cts.length * 64);
  cts.forEach((c, n) => all.set(c, 64 * n));
  const cells = B.toHex(sha256(all));
  if (run.ids.has(stored.ballot_id) || run.cells.has(cells)) refuse('a ballot is given twice', stored.tracking_code);
  run.ids.add(stored.ballot_id);
  run.cells.add(cells);
  cts.forEach((c, n) => {
    const ct = B.ciphertextFromBytes(c);
    const sum = run.sums[Math.floor(n / choices)][n % choices];
    sum[0] = R.add(sum[0], ct.alpha);
    sum[1] = R.add(sum[1], ct.beta);
  });
  run.checked += 1;
  // The tracking code, now known to be this ballot's: the page hashes the list of them (§12).
  return [stored.ballot_id, cells, stored.tracking_code];
}

self.onmessage = (event) => {
  const message = event.data;
  try {
    if (message.type === 'kdf') {
      const { passphrase, salt, memoryKiB, passes } = message;
      const password = new TextEncoder().encode(passphrase);
      const key = argon2id({ password, salt, memoryKiB, passes, parallelism: 1, tagLength: 32 });
      self.postMessage({ type: 'key', key });
    } else if (message.type === 'start') {
      start(message);
    } else if (message.type === 'page') {
      // What each ballot was known by, for the page to refuse one given to two workers.
      const seen = [];
      for (const stored of message.ballots) {
        seen.push(checkBallot(stored));
        self.postMessage({ type: 'progress', checked: run.checked });
      }
      self.postMessage({ type: 'page-done', checked: run.checked, seen });
    } else if (message.type === 'finish') {
      const sums = run.sums.map((row) =>
        row.map(([alpha, beta]) => B.toHex(R.encode(alpha)) + B.toHex(R.encode(beta))),
      );
      self.postMessage({ type: 'sums', sums, checked: run.checked });
    }
  } catch (e) {
    self.postMessage({ type: 'refused', what: e.message, code: e.code || '' });
  }
};
