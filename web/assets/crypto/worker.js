// The tablet's encryption, in a module worker so that the page stays responsive: each row is
// encrypted as the delegate marks it (docs/verifiable.md §5), so that the review step finds the
// ballot ready. The randomness stays here: the page gets it only for a ballot the delegate
// checks instead of casting (`open`), and it is overwritten and dropped once a ballot is sealed
// for casting and `wipe` comes, or the ballot is opened.
//
// Messages in, each { id, type, ... }; each answered { id, ok, ... } or { id, ok: false, error }:
// - setup { jointKey, manifestHash, ballotId (hex), choices, rows }: the ballot to encrypt;
// - mark { row, mark }: (re-)encrypts one row (mark: a choice's index or null);
// - seal { marks }: every row encrypted for `marks` (rows marked otherwise are encrypted again);
//   answers { ballot (Uint8Array), trackingCode (hex), millis };
// - open: the sealed ballot's randomness (hex, per row, per cell); the ballot is spent, and
//   every row is encrypted afresh at the next seal;
// - wipe: forgets every row and its randomness (after a cast).

import * as B from './ballot.js';
import { scalarToBytesLE } from './ristretto255.js';

let ctx = null; // { key, manifestHash, ballotId, choices, rows }
let rows = []; // per row: { mark, bytes, randomness } or undefined
let sealed = null; // the rows of the last sealed ballot, until it is opened or wiped
const draw = B.osRandom();

function forget(row) {
  if (!row) return;
  // BigInts cannot be overwritten in place: the arrays holding them are, and dropped.
  row.randomness.fill(0n);
  row.randomness.length = 0;
  row.bytes.fill(0);
}

function wipe() {
  for (const row of rows) forget(row);
  rows = [];
  if (sealed) for (const row of sealed) forget(row);
  sealed = null;
}

function encryptRow(i, mark) {
  if (!ctx) throw new Error('no ballot to encrypt: setup first');
  if (!Number.isInteger(i) || i < 0 || i >= ctx.rows) throw new Error(`no row ${i}`);
  if (rows[i] && rows[i].mark === mark) return;
  // A row of a sealed ballot stays as it is until that ballot is opened or cast.
  if (rows[i] && !(sealed && sealed.includes(rows[i]))) forget(rows[i]);
  const { bytes, randomness } = B.encryptRow({ ...ctx, row: i, mark, draw });
  rows[i] = { mark, bytes, randomness };
}

const handlers = {
  setup({ jointKey, manifestHash, ballotId, choices, rows: count }) {
    wipe();
    ctx = {
      key: B.jointKey(B.fromHex(jointKey)),
      manifestHash: B.fromHex(manifestHash),
      ballotId: B.fromHex(ballotId),
      choices,
      rows: count,
    };
    return {};
  },
  mark({ row, mark }) {
    encryptRow(row, mark);
    return {};
  },
  seal({ marks }) {
    if (!ctx || marks.length !== ctx.rows) throw new Error('the marks are not of this ballot');
    const started = performance.now();
    marks.forEach((mark, i) => encryptRow(i, mark));
    const next = rows.slice();
    // A ballot sealed before and neither opened nor cast (the delegate changed a mark): the
    // rows it does not share with this one are forgotten.
    if (sealed) for (const row of sealed) if (!next.includes(row)) forget(row);
    sealed = next;
    const ballot = B.concat(sealed.map((r) => r.bytes));
    const code = B.trackingCode(ctx.manifestHash, ctx.ballotId, ballot, ctx.rows, ctx.choices);
    return { ballot, trackingCode: B.toHex(code), millis: performance.now() - started };
  },
  open() {
    if (!sealed) throw new Error('no sealed ballot to open');
    const randomness = sealed.map((r) => r.randomness.map((x) => B.toHex(scalarToBytesLE(x))));
    const marks = sealed.map((r) => r.mark);
    // Spent: the next seal encrypts every row again, with new randomness.
    for (const row of sealed) forget(row);
    sealed = null;
    rows = [];
    return { marks, randomness };
  },
  wipe() {
    wipe();
    return {};
  },
};

self.onmessage = (event) => {
  const { id, type, ...args } = event.data;
  try {
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request ${type}`);
    self.postMessage({ id, ok: true, ...handler(args) });
  } catch (e) {
    self.postMessage({ id, ok: false, error: String(e?.message || e) });
  }
};
