// The counting committee's page (Ban kiểm phiếu), for members holding `auditor` who sit on a
// committee: the key ceremony done in the browser as `tinnhiem committee ceremony` does it
// (docs/verifiable.md §6 and §10), every member's progress, the ceremony's fingerprint to read
// out, the member's key file (sealed with a passphrase, downloaded at each step that changes
// it), and after the close the check of every ballot in a worker and the partial decryption of
// the sums, and of nothing else (§12). Secrets stay in this page's memory and in the file;
// nothing secret is sent to the server or kept in the browser's storage.

import { t } from './i18n.js';
import { el, api, ApiError, me, announce, sleeper, saveFile } from './common.js';
import { pageShell } from './shell.js';
import * as R from './crypto/ristretto255.js';
import * as B from './crypto/ballot.js';
import * as C from './crypto/committee.js';
import { sealShareFile, openShareFile, ShareFileError, MIN_PASSPHRASE } from './crypto/sharefile.js';

const WORKER = "/assets/committee-worker.js";

/** The committee and its votes are read this often while the page shows a committee. */
const POLL_MS = 2000;
const PAGE_SIZE = 100;
const STEPS = ['join', 'reveal', 'share', 'confirm', 'done'];
const CHOICES = { rating: 3, confidence: 2 };
const COMMITTEE_STATE = { forming: 'cm_state_forming', ready: 'cm_state_ready', failed: 'cm_state_failed' };

/** The page stops and says why: the server showed something that does not check. */
class Stop extends Error {
  constructor(key, vars = {}) {
    super(key);
    this.key = key;
    this.vars = vars;
  }
}

const { state, show, render, start } = pageShell({
  name: 'committee',
  state: {
    /** The committees of the member's council they sit on: {id, threshold, size, state, votes}. */
    committees: [],
    /** The committee shown, and what GET /committees/{id} last said of it. */
    current: null,
    committee: null,
    /** The member's secret state (the share file's fields) and its passphrase: memory only. */
    file: null,
    passphrase: null,
    /** Why the file in memory must be downloaded again (a key of words), or null. */
    unsaved: null,
    /** The ceremony's last step in words (a key), and why the page stopped, if it did. */
    status: null,
    stopped: null,
    /** The ceremony hash this page computed from what the server showed, once all is in. */
    computedHash: null,
    /** Vote id → { phase, checked, total, ms, problem }. */
    decryption: {},
    /** Vote id → { done, published }. */
    progress: {},
    fileError: null,
    /** What the page is doing with the key file ('cm_file_sealing', 'cm_file_opening'), or null. */
    working: null,
  },
  views: { list: listView, committee: committeeView },
  mayUse: (who) => who.roles.includes('auditor') && Boolean(who.council_id),
  refusal: { view: 'not-member', title: 'cm_not_auditor' },
  load,
  expiredMessage: 'session_expired_plain',
  stop: stopPolling,
  signedOut: forget,
  languageChanged: () => {
    forms = {};
    render(false);
  },
});

/** The forms, kept across redraws so that what the member types stays (and its focus). */
let forms = {};

const nap = sleeper();
let generation = 0;

function stopPolling() {
  generation += 1;
  nap.wake();
}

/** Drops every secret from memory (sign-out). */
function forget() {
  forms = {};
  state.file = null;
  state.passphrase = null;
  state.current = null;
  state.committee = null;
  state.decryption = {};
}

const hex = B.toHex;
const scalarOf = (h) => R.scalarFromBytesLE(B.fromHex(h));
const scalarHex = (x) => hex(R.scalarToBytesLE(x));

// ---- loading -----------------------------------------------------------------------------

async function load() {
  await readCommittees();
  if (state.current && state.committees.some((c) => c.id === state.current)) {
    await openCommittee(state.current, false);
  } else {
    show('list');
  }
}

/** The council's committee votes whose committee holds this member, grouped by committee. */
async function readCommittees() {
  const who = me();
  const votes = await api(`/councils/${who.council_id}/votes`);
  const by = new Map();
  for (const v of votes) {
    if (v.secrecy !== 'committee' || !v.committee?.members?.includes(who.id)) continue;
    const c = by.get(v.committee.id) || {
      id: v.committee.id,
      threshold: v.committee.threshold,
      size: v.committee.members.length,
      state: v.committee.state,
      votes: [],
    };
    c.votes.push(v);
    by.set(c.id, c);
  }
  state.committees = [...by.values()];
}

function currentCommittee() {
  return state.committees.find((c) => c.id === state.current);
}

async function openCommittee(id, focus = true) {
  if (state.file && state.file.committee_id !== id) {
    state.file = null;
    state.passphrase = null;
  }
  state.current = id;
  state.stopped = null;
  state.status = null;
  state.committee = await api(`/committees/${id}`);
  show('committee', { focus });
  poll();
}

/** Reads the committee and its votes, does the ceremony's next step, draws when something
 * changed; until the member leaves the committee. A step sent is followed at once by the next. */
async function poll() {
  const mine = ++generation;
  while (mine === generation && state.view === 'committee') {
    let sent = false;
    try {
      state.committee = await api(`/committees/${state.current}`);
      verifyPublished();
      if (state.file && !state.stopped) sent = await advance();
      await readCommittees();
      await readProgress();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      if (e instanceof Stop) {
        if (state.stopped?.key !== e.key) announce(t(e.key, e.vars));
        state.stopped = e;
      } else if (e instanceof ApiError && e.status < 500 && e.status !== 409 && e.status !== 429) {
        state.stopped = new Stop('cm_refused_by_server', { detail: e.detail });
      }
      // A 409 (another member ended the ceremony meanwhile), a busy server or the network:
      // read again at the next poll.
    }
    if (mine !== generation || state.view !== 'committee') return;
    drawIfChanged();
    if (!sent) await nap.sleep(POLL_MS);
  }
}

let drawn = '';

/** Draws again only when what the view shows changed, so that a poll leaves a form alone. */
function drawIfChanged() {
  const shown = JSON.stringify([
    state.committee,
    state.committees,
    state.status,
    state.stopped && [state.stopped.key, state.stopped.vars],
    state.computedHash,
    state.progress,
    Boolean(state.file),
    Boolean(state.file?.share),
    state.unsaved,
    Object.values(state.decryption).map((d) => d.phase),
  ]);
  if (shown === drawn) return;
  drawn = shown;
  render(false);
}

/** Wakes the poll now (after the member gave a file or a passphrase). */
function kick() {
  nap.wake();
}

/** For each closed vote of the committee: how many members decrypted, and whether published. */
async function readProgress() {
  const c = currentCommittee();
  if (!c) return;
  for (const v of c.votes.filter((x) => x.state === 'closed')) {
    if (state.progress[v.id]?.published) continue;
    const page = await api(`/votes/${v.id}/ballots?limit=1`);
    let published = false;
    try {
      await api(`/votes/${v.id}/tally`);
      published = true;
    } catch (e) {
      if (!(e instanceof ApiError && e.slug === 'tally-not-published')) throw e;
    }
    state.progress[v.id] = { done: page.decrypted_by, published };
  }
}

// ---- the ceremony ------------------------------------------------------------------------

function seatOf(c, position) {
  return c.members[position - 1];
}

function myPosition(c) {
  return c.members.find((m) => m.member_id === me().id)?.position;
}

function wellFormed(c) {
  return (
    c.id === state.current &&
    c.members.length === c.size &&
    c.threshold >= 1 &&
    c.threshold <= c.size &&
    c.members.every((m, i) => m.position === i + 1)
  );
}

function reached(c, step) {
  return STEPS.indexOf(c.step) >= STEPS.indexOf(step);
}

/** A member's sealing key, checked with its proof; throws Stop naming the member. */
function sealingKey(c, m) {
  try {
    const bytes = B.fromHex(m.sealing_key);
    const key = C.decodeKey(bytes);
    if (C.verifyKnowledge('sealing-key', C.memberFields(c.id, m.position), key, B.fromHex(m.sealing_proof))) {
      return { bytes, key };
    }
  } catch {
    // below
  }
  throw new Stop('cm_bad_member', { position: m.position });
}

/** Every member's sealing key, commitments and proofs, each checked (as the tool does). */
function checkRevealed(c) {
  return c.members.map((m) => {
    const { bytes, key } = sealingKey(c, m);
    try {
      const commitments = m.commitments.map(B.fromHex);
      const proofs = m.proofs.map(B.fromHex);
      const points = commitments.map(C.decodeKey);
      const fields = C.memberFields(c.id, m.position);
      const hash = hex(C.commitmentHash(c.id, m.position, commitments, proofs));
      if (
        points.length === c.threshold &&
        hash === m.commitment_hash &&
        C.coefficientsProven(fields, points, proofs)
      ) {
        return { position: m.position, sealingKey: bytes, key, commitments, proofs, points };
      }
    } catch {
      // below
    }
    throw new Stop('cm_bad_member', { position: m.position });
  });
}

function ceremonyHashOf(c, published) {
  const sealed = c.sealed.map((s) => {
    try {
      const bytes = B.fromHex(s.sealed);
      if (bytes.length === 64) return { sender: s.sender, recipient: s.recipient, sealed: bytes };
    } catch {
      // below
    }
    throw new Stop('cm_bad_member', { position: s.sender });
  });
  return hex(C.ceremonyHash(c.id, c.threshold, published, sealed));
}

/**
 * Once every value is in, the ceremony hash of what the server shows, computed here from its
 * checked parts: the fingerprint is shown only when the server's hash is this one.
 */
function verifyPublished() {
  const c = state.committee;
  state.computedHash = null;
  if (!wellFormed(c)) throw new Stop('cm_bad_shape');
  if (!c.ceremony_hash || c.state === 'failed') return;
  const hash = ceremonyHashOf(c, checkRevealed(c));
  if (hash !== c.ceremony_hash) throw new Stop('cm_bad_hash');
  if (c.state === 'ready' && c.members.some((m) => m.confirmation !== hash)) throw new Stop('cm_bad_hash');
  state.computedHash = hash;
}

function secretsOf(file) {
  return { sealing: scalarOf(file.sealing_secret), coefficients: file.coefficients.map(scalarOf) };
}

/** This member's values for every other member, each sealed to them (§6), in position order.
 * Drawn from the member's secrets, so that a page reloaded mid-ceremony sends the same. */
function sealedValues(c, published, secrets, position) {
  const draw = C.secretNonces('sealed values', secrets, c.id, position);
  return published
    .filter((m) => m.position !== position)
    .map((m) => ({
      recipient: m.position,
      sealed: hex(
        C.seal(C.sealingFields(c.id, position, m.position), m.key, C.valueAt(secrets.coefficients, m.position), draw),
      ),
    }));
}

/** Opens the values sealed to this member, each checked against its sender's commitments. */
function receive(c, published, secrets, position) {
  let share = C.valueAt(secrets.coefficients, position);
  const complaints = [];
  for (const sender of published.filter((m) => m.position !== position)) {
    const s = c.sealed.find((x) => x.sender === sender.position && x.recipient === position);
    let value = null;
    try {
      value = C.open(C.sealingFields(c.id, sender.position, position), B.fromHex(s.sealed), secrets.sealing);
    } catch {
      value = null;
    }
    if (value !== null && C.valueMatches(sender.points, position, value)) share = R.scalarMod(share + value);
    else complaints.push(sender.position);
  }
  return { share, complaints };
}

async function post(path, body) {
  state.committee = await api(`/committees/${state.current}/${path}`, { method: 'POST', body });
}

/** One member's part, resumed from wherever the committee stands (ceremony.rs's steps);
 * whether it sent something. */
async function advance() {
  const c = state.committee;
  const file = state.file;
  const position = myPosition(c);
  if (c.state === 'failed') return;
  if (file.share) {
    // After this member's share is made: confirm if the confirmation was lost; check the key.
    if (c.state === 'forming' && !seatOf(c, position).confirmation) {
      if (c.ceremony_hash !== file.ceremony_hash) throw new Stop('cm_bad_hash');
      await post('confirm', { ceremony_hash: file.ceremony_hash });
      return true;
    }
    if (state.committee.state === 'ready') {
      if (state.committee.joint_key !== file.joint_key) throw new Stop('cm_bad_key');
      state.status = 'cm_status_ready';
    } else {
      state.status = 'cm_status_waiting';
    }
    return;
  }
  const secrets = secretsOf(file);
  const join = C.joinMessage(c.id, position, secrets);
  if (!seatOf(c, position).sealing_key) {
    state.status = 'cm_status_joining';
    render(false);
    await post('join', join);
    return true;
  }
  const seat = seatOf(c, position);
  if (seat.sealing_key !== join.sealing_key || seat.commitment_hash !== join.commitment_hash) {
    throw new Stop('cm_bad_own');
  }
  if (!reached(c, 'reveal')) {
    state.status = 'cm_status_waiting';
    return;
  }
  c.members.forEach((m) => sealingKey(c, m));
  if (!seat.commitments) {
    state.status = 'cm_status_revealing';
    render(false);
    await post('reveal', C.revealMessage(c.id, position, secrets));
    return true;
  }
  if (!reached(c, 'share')) {
    state.status = 'cm_status_waiting';
    return;
  }
  const published = checkRevealed(c);
  const ours = C.commitments(secrets.coefficients).map(hex);
  if (published[position - 1].commitments.map(hex).join() !== ours.join()) throw new Stop('cm_bad_own');
  // The values the file says were sent (a ceremony begun with the command-line tool), or this
  // page's own, the same at every reload.
  const recipients = published.filter((m) => m.position !== position).map((m) => m.position);
  const sent =
    Array.isArray(file.sent) && file.sent.length === recipients.length
      ? recipients.map((recipient, k) => ({ recipient, sealed: file.sent[k] }))
      : sealedValues(c, published, secrets, position);
  if (!c.sealed.some((s) => s.sender === position)) {
    state.status = 'cm_status_sending';
    render(false);
    await post('shares', { sealed: sent });
    return true;
  }
  if (!reached(c, 'confirm')) {
    state.status = 'cm_status_waiting';
    return;
  }
  const shown = c.sealed.filter((s) => s.sender === position).map((s) => s.sealed);
  if (shown.join() !== sent.map((s) => s.sealed).join()) throw new Stop('cm_bad_own');
  const { share, complaints } = receive(c, published, secrets, position);
  if (complaints.length) {
    if (!seat.confirmation) await post('confirm', { complaints });
    throw new Stop('cm_status_complained', { who: complaints.join(', ') });
  }
  const hash = ceremonyHashOf(c, published);
  if (c.ceremony_hash !== hash) throw new Stop('cm_bad_hash');
  if (seat.confirmation && seat.confirmation !== hash) throw new Stop('cm_bad_own');
  const all = published.map((m) => m.points);
  const shareKey = C.shareKeyOf(all, position);
  if (!R.equals(R.mulBase(share), shareKey)) throw new Stop('cm_bad_own');
  // The file now holds the share and the public values, and no longer the ceremony's secrets.
  state.file = {
    ...file,
    sealing_secret: null,
    coefficients: null,
    share: scalarHex(share),
    share_key: hex(R.encode(shareKey)),
    joint_key: hex(R.encode(C.jointKeyOf(all))),
    sent: sent.map((s) => s.sealed),
    ceremony_hash: hash,
  };
  state.unsaved = 'cm_download_share';
  if (!seat.confirmation) {
    state.status = 'cm_status_confirming';
    render(false);
    await post('confirm', { ceremony_hash: hash });
  }
  state.status = state.committee.state === 'ready' ? 'cm_status_ready' : 'cm_status_waiting';
  announce(t('cm_download_share'));
  return true;
}

// ---- the key file ------------------------------------------------------------------------

function fileName(f) {
  const what = f.share ? 'share' : 'ceremony';
  return `tinnhiem-committee-${f.committee_id.slice(0, 8)}-${f.position}-${what}.json`;
}

/** The key file's key from its passphrase (Argon2id), derived in a worker. */
function derive(request) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { type: 'module' });
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.type === 'key') resolve(event.data.key);
      else reject(new Error(event.data.what || 'kdf'));
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(event.message || 'worker'));
    };
    worker.postMessage({ type: 'kdf', ...request });
  });
}

/** Shows that the page is sealing or opening the key file (a second or two). */
function working(key) {
  state.working = key;
  render(false);
  if (key) announce(t(key));
}

async function download(file = state.file) {
  working('cm_file_sealing');
  let text;
  try {
    text = await sealShareFile(file, state.passphrase, { derive });
  } finally {
    working(null);
  }
  saveFile(fileName(file), text);
  state.unsaved = null;
  announce(t('cm_file_saved'));
}

async function begin(passphrase, again) {
  if ([...passphrase].length < MIN_PASSPHRASE) return fileProblem('cm_passphrase_short');
  if (passphrase !== again) return fileProblem('cm_passphrase_differs');
  const c = state.committee;
  const draw = B.osRandom();
  const file = {
    committee_id: c.id,
    position: myPosition(c),
    threshold: c.threshold,
    size: c.size,
    sealing_secret: scalarHex(draw()),
    coefficients: Array.from({ length: c.threshold }, () => scalarHex(draw())),
    share: null,
    share_key: null,
    joint_key: null,
    sent: null,
    ceremony_hash: null,
    decrypted: [],
  };
  state.passphrase = passphrase;
  state.fileError = null;
  forms = {};
  // The secrets are in the member's hands before anything is sent: the page joins only after.
  await download(file);
  state.file = file;
  render(false);
  kick();
}

async function loadFile(chosen, passphrase) {
  if (!chosen) return fileProblem('cm_file_missing');
  let file;
  working('cm_file_opening');
  try {
    file = await openShareFile(await chosen.text(), passphrase, { derive });
  } catch (e) {
    if (!(e instanceof ShareFileError)) throw e;
    return fileProblem(e.code === 'passphrase' ? 'cm_file_passphrase' : 'cm_file_form');
  } finally {
    working(null);
  }
  const c = state.committee;
  if (file.committee_id !== c.id || file.position !== myPosition(c)) return fileProblem('cm_file_other');
  state.file = file;
  state.passphrase = passphrase;
  state.unsaved = null;
  state.fileError = null;
  state.stopped = null;
  forms = {};
  render(false);
  announce(t('cm_file_opened'));
  kick();
}

function fileProblem(key) {
  state.fileError = key;
  render(false);
  document.getElementById('file-error')?.focus();
}

// ---- decryption --------------------------------------------------------------------------

/** The worker's answers, in order, and its progress as it goes. */
function checker(onProgress) {
  const worker = new Worker(WORKER, { type: 'module' });
  const waiting = [];
  worker.onmessage = (event) => {
    if (event.data.type === 'progress') onProgress(event.data.checked);
    else waiting.shift()?.resolve(event.data);
  };
  worker.onerror = (event) => {
    for (const w of waiting.splice(0)) w.reject(new Error(event.message || 'worker'));
  };
  return {
    post: (message) => worker.postMessage(message),
    ask: (message) =>
      new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(message);
      }),
    stop: () => worker.terminate(),
  };
}

function refusedBy(answer) {
  if (answer.type !== 'refused') return answer;
  if (answer.what === 'a ballot is given twice') throw new Stop('cm_refused_twice');
  throw new Stop('cm_refused_ballot', { code: answer.code.slice(0, 16), what: answer.what });
}

function showChecked(voteId) {
  const d = state.decryption[voteId];
  const bar = document.getElementById(`check-${voteId}`);
  const words = document.getElementById(`check-words-${voteId}`);
  if (bar) bar.value = d.checked;
  if (words) words.textContent = t('cm_checking', { checked: d.checked, total: d.total });
}

/** The cell by cell sum (α ‖ β, hex) of the workers' sums. */
function addSums(all) {
  return all[0].map((row, i) =>
    row.map((_, j) => {
      let alpha = R.IDENTITY;
      let beta = R.IDENTITY;
      for (const sums of all) {
        alpha = R.add(alpha, R.decode(B.fromHex(sums[i][j].slice(0, 64))));
        beta = R.add(beta, R.decode(B.fromHex(sums[i][j].slice(64))));
      }
      return hex(R.encode(alpha)) + hex(R.encode(beta));
    }),
  );
}

/** Checks every ballot of a closed vote, recomputes the sums, and decrypts them, only them. */
async function decrypt(voteId) {
  const d = { phase: 'checking', checked: 0, total: 0 };
  state.decryption[voteId] = d;
  render(false);
  const started = performance.now();
  let work = null;
  try {
    const file = state.file;
    const share = scalarOf(file.share);
    const vote = await api(`/votes/${voteId}`);
    if (vote.committee?.id !== file.committee_id) throw new Stop('cm_file_other');
    const c = await api(`/committees/${file.committee_id}`);
    if (c.threshold !== file.threshold || c.size !== file.size) throw new Stop('cm_bad_shape');
    if (!file.joint_key || c.joint_key !== file.joint_key) throw new Stop('cm_bad_key');
    const choices = CHOICES[vote.kind];
    if (!choices) throw new Stop('cm_bad_shape');
    const subjectIds = vote.subjects.map((s) => s.id);
    const manifest = B.manifestHash({
      voteId,
      councilId: vote.council_id,
      kind: vote.kind,
      choices,
      subjectIds,
      committeeId: file.committee_id,
      threshold: c.threshold,
      size: c.size,
      jointKey: B.fromHex(file.joint_key),
    });
    // One worker a core (at most four), each checking its part of every page.
    const cores = Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1));
    const counts = new Array(cores).fill(0);
    work = Array.from({ length: cores }, (_, k) =>
      checker((checked) => {
        counts[k] = checked;
        d.checked = counts.reduce((a, b) => a + b, 0);
        showChecked(voteId);
      }),
    );
    d.workers = cores;
    for (const w of work) {
      w.post({ type: 'start', manifestHash: hex(manifest), jointKey: file.joint_key, rows: subjectIds.length, choices });
    }
    const ids = new Set();
    const cells = new Set();
    const codes = [];
    const fetchPage = (after) =>
      api(`/votes/${voteId}/ballots?limit=${PAGE_SIZE}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    let first = null;
    let next = fetchPage(null);
    for (;;) {
      const page = await next;
      if (page.manifest_hash !== hex(manifest)) throw new Stop('cm_refused_manifest');
      if (!first) {
        first = page;
        d.total = page.ballots_cast;
        render(false);
      } else if (page.ballots_cast !== first.ballots_cast || JSON.stringify(page.sums) !== JSON.stringify(first.sums)) {
        throw new Stop('cm_refused_pages');
      }
      // The next page downloads while the worker checks this one.
      next = page.next ? fetchPage(page.next) : null;
      const share = Math.ceil(page.ballots.length / cores);
      const answers = await Promise.all(
        work.map((w, k) => w.ask({ type: 'page', ballots: page.ballots.slice(k * share, (k + 1) * share) })),
      );
      for (const answer of answers) {
        for (const [id, hash, code] of refusedBy(answer).seen) {
          if (ids.has(id) || cells.has(hash)) throw new Stop('cm_refused_twice');
          ids.add(id);
          cells.add(hash);
          codes.push(B.fromHex(code));
        }
      }
      announce(t('cm_checking', { checked: d.checked, total: d.total }));
      if (!next) break;
    }
    const parts = (await Promise.all(work.map((w) => w.ask({ type: 'finish' })))).map(refusedBy);
    const checked = parts.reduce((n, part) => n + part.checked, 0);
    const sums = addSums(parts.map((part) => part.sums));
    if (checked !== first.ballots_cast) throw new Stop('cm_refused_count', { checked, cast: first.ballots_cast });
    if (JSON.stringify(sums) !== JSON.stringify(first.sums)) throw new Stop('cm_refused_sums');
    // The decryption is bound to the list of ballots checked here (§12).
    const list = B.ballotListHash(manifest, codes);
    if (hex(list) !== first.ballot_list_hash) throw new Stop('cm_refused_list');
    d.ms = performance.now() - started;
    // The sums of one vote are decrypted once: never other sums for the same vote.
    const digest = C.decryptedDigest(sums, hex(list));
    const done = state.file.decrypted.find(([v]) => v === voteId);
    if (done && done[1] !== digest) throw new Stop('cm_refused_other_sums');
    if (!done) {
      state.file = { ...state.file, decrypted: [...state.file.decrypted, [voteId, digest]] };
      state.unsaved = 'cm_download_needed';
    }
    d.phase = 'sending';
    render(false);
    announce(t('cm_checked_all', { total: checked, seconds: (d.ms / 1000).toFixed(1) }));
    const draw = B.osRandom();
    const shares = sums.map((row, i) =>
      row.map((cell, j) => {
        const alpha = R.decode(B.fromHex(cell.slice(0, 64)));
        const fields = C.decryptionFields(manifest, list, file.position, i, j);
        const { partial, proof } = C.provePartial(fields, share, alpha, draw);
        return { partial: hex(partial), proof: hex(proof) };
      }),
    );
    const answer = await api(`/votes/${voteId}/decryptions`, { method: 'POST', body: { shares } });
    d.phase = 'sent';
    state.progress[voteId] = {
      done: [...new Set([...(state.progress[voteId]?.done || []), file.position])],
      published: answer.published,
    };
    announce(t(answer.published ? 'cm_published' : 'cm_sent'));
  } catch (e) {
    d.phase = 'refused';
    d.problem =
      e instanceof Stop
        ? e
        : new Stop('cm_refused_by_server', { detail: e instanceof ApiError ? e.detail : t('network_error') });
    announce(t(d.problem.key, d.problem.vars));
  } finally {
    for (const w of work || []) w.stop();
  }
  render(false);
}

// ---- views -------------------------------------------------------------------------------

function listView() {
  return el(
    'section',
    { class: 'committee-page' },
    el('h1', {}, t('cm_title')),
    el('p', { class: 'intro' }, t('cm_intro')),
    state.committees.length === 0 ? el('p', { class: 'card' }, t('cm_none')) : null,
    el(
      'div',
      { class: 'vote-list' },
      state.committees.map((c) =>
        el(
          'article',
          { class: 'card committee-card', dataset: { committeeId: c.id } },
          el('h2', {}, t('cm_committee_of', { t: c.threshold, n: c.size })),
          el('p', {}, t(COMMITTEE_STATE[c.state])),
          el('ul', { class: 'committee-votes' }, c.votes.map((v) => el('li', {}, `${v.title} · ${t(`state_${v.state}`)}`))),
          el(
            'button',
            {
              type: 'button',
              class: 'primary',
              'data-focus-key': `open-${c.id}`,
              onclick: () => openCommittee(c.id).catch(() => {}),
            },
            t('cm_open'),
          ),
        ),
      ),
    ),
  );
}

function mark(done) {
  return el('td', { class: done ? 'step-done' : 'step-pending', dataset: { done: String(done) } }, t(done ? 'cm_yes' : 'cm_no'));
}

function membersTable(c) {
  const mine = myPosition(c);
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'members-heading' },
    el('h2', { id: 'members-heading' }, t('cm_members')),
    el(
      'div',
      { class: 'table-wrap' },
      el(
        'table',
        { class: 'results ceremony-progress' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['cm_col_member', 'cm_col_joined', 'cm_col_revealed', 'cm_col_sent', 'cm_col_confirmed'].map((k) =>
              el('th', { scope: 'col' }, t(k)),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          c.members.map((m) =>
            el(
              'tr',
              { dataset: { position: m.position } },
              el('th', { scope: 'row' }, `${m.position}. `, m.position === mine ? t('cm_you', { name: m.full_name }) : m.full_name),
              mark(Boolean(m.sealing_key)),
              mark(Boolean(m.commitments)),
              mark(c.sealed.some((s) => s.sender === m.position)),
              mark(Boolean(m.confirmation)),
            ),
          ),
        ),
      ),
    ),
  );
}

function fingerprintBlock() {
  if (!state.computedHash) return null;
  return el(
    'section',
    { class: 'card fingerprint-card', 'aria-labelledby': 'fingerprint-heading' },
    el('h2', { id: 'fingerprint-heading' }, t('cm_fingerprint')),
    el('p', { class: 'fingerprint', dataset: { hash: state.computedHash } }, C.fingerprint(state.computedHash)),
    el('p', { class: 'hint' }, t('cm_fingerprint_hint')),
  );
}

function fileError() {
  return el(
    'p',
    { id: 'file-error', class: 'error', role: 'alert', tabindex: '-1', hidden: !state.fileError },
    state.fileError ? t(state.fileError) : '',
  );
}

function beginForm() {
  if (forms.begin) return forms.begin;
  const pass = el('input', { id: 'new-passphrase', 'data-focus-key': 'new-passphrase', type: 'password', autocomplete: 'new-password', minlength: MIN_PASSPHRASE });
  const again = el('input', { id: 'new-passphrase-again', 'data-focus-key': 'new-passphrase-again', type: 'password', autocomplete: 'new-password' });
  forms.begin = el(
    'form',
    {
      class: 'card file-form',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        begin(pass.value, again.value).catch((e) => fileProblem(e instanceof ShareFileError ? 'cm_passphrase_short' : 'cm_file_form'));
      },
    },
    el('h3', {}, t('cm_begin_title')),
    el('p', {}, t('cm_begin_intro')),
    el('label', { for: 'new-passphrase' }, t('cm_passphrase_new')),
    pass,
    el('label', { for: 'new-passphrase-again' }, t('cm_passphrase_again')),
    again,
    el('button', { type: 'submit', class: 'primary wide', 'data-focus-key': 'begin' }, t('cm_begin')),
  );
  return forms.begin;
}

function loadForm() {
  if (forms.load) return forms.load;
  const chosen = el('input', { id: 'share-file', 'data-focus-key': 'share-file', type: 'file', accept: '.json,application/json' });
  const pass = el('input', { id: 'file-passphrase', 'data-focus-key': 'file-passphrase', type: 'password', autocomplete: 'current-password' });
  forms.load = el(
    'form',
    {
      class: 'card file-form',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        loadFile(chosen.files[0], pass.value).catch(() => fileProblem('cm_file_form'));
      },
    },
    el('h3', {}, t('cm_load_title')),
    el('p', {}, t('cm_load_intro')),
    el('label', { for: 'share-file' }, t('cm_file')),
    chosen,
    el('label', { for: 'file-passphrase' }, t('cm_passphrase')),
    pass,
    el('button', { type: 'submit', class: 'primary wide', 'data-focus-key': 'load' }, t('cm_load')),
  );
  return forms.load;
}

function ceremonyBlock(c) {
  const seat = seatOf(c, myPosition(c));
  const parts = [];
  if (state.working) parts.push(el('p', { class: 'notice working' }, t(state.working)));
  if (c.state === 'failed') {
    parts.push(el('p', { class: 'error', role: 'alert' }, t('cm_failed', { why: c.failure || '' })));
  } else if (state.stopped) {
    parts.push(el('p', { class: 'error', role: 'alert' }, t(state.stopped.key, state.stopped.vars)));
  }
  if (state.file) {
    if (state.status) parts.push(el('p', { class: 'ceremony-status', dataset: { status: state.status } }, t(state.status)));
    parts.push(
      state.unsaved ? el('p', { class: 'notice' }, t(state.unsaved)) : null,
      el(
        'button',
        {
          type: 'button',
          class: state.unsaved ? 'primary' : 'secondary',
          'data-focus-key': 'download',
          onclick: () => download().then(() => render(false)),
        },
        t('cm_download'),
      ),
    );
  } else if (c.state === 'forming' && !seat.sealing_key) {
    parts.push(fileError(), beginForm(), loadForm());
  } else if (c.state !== 'failed') {
    parts.push(fileError(), loadForm());
  }
  return el(
    'section',
    { class: 'card', 'aria-labelledby': 'ceremony-heading' },
    el('h2', { id: 'ceremony-heading' }, t('cm_ceremony')),
    el('p', {}, t(COMMITTEE_STATE[c.state])),
    parts,
  );
}

function voteBlock(v) {
  const c = state.committee;
  const d = state.decryption[v.id];
  const p = state.progress[v.id];
  const position = myPosition(c);
  const parts = [];
  if (v.state === 'closed') {
    const done = p?.done || [];
    if (p?.published) {
      parts.push(el('p', { class: 'published', dataset: { published: 'true' } }, t('cm_published')));
    } else {
      parts.push(el('p', { class: 'decryption-progress' }, t('committee_decryption_progress', { done: done.length, t: c.threshold })));
      parts.push(el('progress', { max: c.threshold, value: done.length, 'aria-label': t('committee_decryption_progress', { done: done.length, t: c.threshold }) }));
    }
    if (d && d.phase !== 'refused' && d.phase !== 'sent') {
      parts.push(
        el('p', { id: `check-label-${v.id}` }, t('cm_checking_label')),
        el('progress', { id: `check-${v.id}`, max: Math.max(d.total, 1), value: d.checked, 'aria-labelledby': `check-label-${v.id}` }),
        el('p', { id: `check-words-${v.id}`, class: 'check-words' }, t('cm_checking', { checked: d.checked, total: d.total })),
        d.phase === 'sending' ? el('p', {}, t('cm_sending')) : null,
      );
    }
    if (d?.phase === 'refused') parts.push(el('p', { class: 'error', role: 'alert' }, t(d.problem.key, d.problem.vars)));
    if (d?.ms !== undefined) {
      parts.push(
        el('p', { class: 'checked-all', dataset: { ms: Math.round(d.ms), ballots: d.total, workers: d.workers } }, t('cm_checked_all', { total: d.total, seconds: (d.ms / 1000).toFixed(1) })),
      );
    }
    if (done.includes(position)) {
      parts.push(el('p', { class: 'sent', dataset: { sent: 'true' } }, t('cm_sent')));
    } else if (!p?.published && (!d || d.phase === 'refused')) {
      if (state.file?.share) {
        parts.push(
          el(
            'button',
            { type: 'button', class: 'primary', 'data-focus-key': `decrypt-${v.id}`, onclick: () => decrypt(v.id) },
            t('cm_decrypt'),
          ),
        );
      } else {
        parts.push(el('p', { class: 'hint' }, t('cm_decrypt_need_file')));
      }
    }
  }
  return el(
    'article',
    { class: 'card vote', dataset: { voteId: v.id, state: v.state } },
    el('h3', {}, v.title, ' ', el('span', { class: `badge state-${v.state}` }, t(`state_${v.state}`))),
    parts,
  );
}

function committeeView() {
  const c = state.committee;
  const mine = currentCommittee();
  return el(
    'section',
    { class: 'committee-page', dataset: { committeeId: c.id, committeeState: c.state } },
    el('h1', {}, t('cm_title')),
    el('p', { class: 'intro' }, t('cm_committee_of', { t: c.threshold, n: c.size })),
    fingerprintBlock(),
    ceremonyBlock(c),
    membersTable(c),
    el(
      'section',
      { class: 'card', 'aria-labelledby': 'votes-heading' },
      el('h2', { id: 'votes-heading' }, t('cm_votes')),
      (mine?.votes || []).map(voteBlock),
    ),
    el(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () => {
          stopPolling();
          show('list');
        },
      },
      t('cm_back'),
    ),
  );
}

start();
