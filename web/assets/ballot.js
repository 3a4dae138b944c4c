// The delegate's ballot on a tablet: sign in, the open vote's ballot, review, cast, and a clear
// confirmation. A ballot whose answer was lost is sent again until the server answers: the
// server refuses a second ballot from the same delegate (409 already-cast), so a retry can never
// cast twice, and that refusal after a lost answer means the first one arrived.
//
// In a committee vote the tablet encrypts the ballot itself, in a worker, row by row as the
// delegate marks (docs/verifiable.md §5, §14). The review shows the ballot's tracking code; the
// delegate casts it, or checks it: the tablet opens that ballot (its marks and randomness) for
// a check elsewhere, never casts it, and encrypts a fresh one. A cast ballot's randomness is
// never shown nor kept. The code is kept on the tablet, and once the tally is published the
// page confirms that the ballot was counted.

import { t, choiceLabel } from './i18n.js';
import {
  el,
  api,
  ApiError,
  NetworkError,
  me,
  token,
  messageCard,
  announce,
  banner,
  sleeper,
  focusHeading,
  saveFile,
} from './common.js';
import { pageShell } from './shell.js';
import { Sealer } from './sealer.js';
import { shortCode, toBase64, fromBase64 } from './crypto/ballot.js';

/** Seconds between attempts to send a ballot whose answer did not come. */
const BACKOFF = [1, 2, 4, 8, 15];
/** How often the page looks for a vote to open, while none is. */
const POLL_MS = 5000;

const { state, main, show, render, start, fail, signOut } = pageShell({
  name: 'ballot',
  state: {
    votes: [],
    ballot: null,
    marks: {},
    notice: null,
    noticeIsError: false,
    doneReason: null,
    retryError: null,
    sending: false,
    networkFailed: false,
    // Committee votes: the sealed ballot under review, the one opened for a check, and the
    // tracking codes this member cast with on this tablet.
    sealed: null,
    sealing: false,
    sealError: null,
    opened: null,
    receipts: [],
  },
  views: {
    'no-open': noOpenView,
    choose: chooseView,
    ballot: ballotView,
    review: reviewView,
    sending: reviewView,
    checked: checkedView,
    done: doneView,
  },
  mayUse: (who) => who.roles.includes('delegate') && Boolean(who.council_id),
  refusal: { view: 'not-delegate', title: 'not_delegate', text: 'not_delegate_help' },
  load: async () => {
    banner(null);
    await lookForVote();
  },
  expiredMessage: 'session_expired',
  stop: stopPolling,
  signedIn: dropOtherMembersMarks,
  signedOut: () => {
    state.ballot = null;
    state.marks = {};
    state.receipts = [];
    dropSealer();
  },
  // The token is no longer good: sign in again. Marks stay in this tab for the same member.
  expired: () => {
    state.sending = false;
    state.retryShown = null;
    banner(null);
  },
  languageChanged: () => {
    if (state.sending && state.retryShown) showRetry(...state.retryShown);
    else if (!state.sending && !navigator.onLine) banner(t('offline'));
  },
});

const waker = sleeper();
let pollTimer = null;
let countTimer = null;
/** The encryption worker of a committee vote's ballot, while one is being marked. */
let sealer = null;
/** Bumped at each seal, so that an answer for marks since changed is dropped. */
let sealGeneration = 0;

function isCommittee() {
  return state.ballot?.secrecy === 'committee';
}

/** Each row's mark as the encryption takes it: the choice's index, or null. */
function marksArray() {
  const choices = state.ballot.choices;
  return subjectsInOrder().map((s) => (state.marks[s.id] ? choices.indexOf(state.marks[s.id]) : null));
}

function sealFailed(e) {
  state.sealError = String(e?.message || e);
  state.sealing = false;
  if (state.view === 'review') render(false);
}

/** Starts encrypting a committee vote's ballot: every row at once, blank or as marked. */
async function startSealer(ballot) {
  state.sealed = null;
  state.opened = null;
  state.sealError = null;
  try {
    if (!sealer) sealer = new Sealer();
    await sealer.setup(ballot.encryption, ballot.subjects.length);
    encryptAllRows();
  } catch (e) {
    sealFailed(e);
  }
}

function encryptAllRows() {
  marksArray().forEach((mark, row) => sealer.mark(row, mark).catch(sealFailed));
}

/** A row marked or cleared: the worker encrypts it again while the delegate goes on. */
function encryptRow(row, choice) {
  if (!sealer || !isCommittee()) return;
  sealer.mark(row, choice === null ? null : state.ballot.choices.indexOf(choice)).catch(sealFailed);
}

function dropSealer() {
  sealer?.stop();
  sealer = null;
  state.sealed = null;
  state.opened = null;
  state.sealing = false;
}

/** The whole encrypted ballot for the marks under review, and its tracking code. */
async function seal() {
  if (!sealer) return;
  const marks = marksArray();
  const k = JSON.stringify(marks);
  if (state.sealed && state.sealed.key === k) {
    render(false);
    return;
  }
  const generation = ++sealGeneration;
  state.sealed = null;
  state.sealing = true;
  state.sealError = null;
  if (state.view === 'review') render(false);
  try {
    const answer = await sealer.seal(marks);
    if (generation !== sealGeneration) return;
    state.sealed = { ballot: answer.ballot, trackingCode: answer.trackingCode, key: k };
    state.sealing = false;
    if (state.view !== 'review') return;
    const focused = main.contains(document.activeElement) && document.activeElement.dataset.focusKey;
    render(false);
    if (!focused) focusHeading(main.querySelector('h1'));
    announce(`${t('tracking_code')}: ${shortCode(answer.trackingCode)}`);
  } catch (e) {
    if (generation === sealGeneration) sealFailed(e);
  }
}

/** Kiểm tra phiếu: the sealed ballot is opened, shown, and never cast. */
async function checkBallot() {
  const sealed = state.sealed;
  if (!sealed || sealed.sent || !sealer) return;
  state.sealed = null;
  sealGeneration++;
  try {
    const opening = await sealer.open();
    const b = state.ballot;
    const e = b.encryption;
    const json = {
      protocol: e.protocol,
      vote_id: b.vote_id,
      manifest_hash: e.manifest_hash,
      ballot_id: e.ballot_id,
      joint_key: e.joint_key,
      choices: b.choices,
      subjects: subjectsInOrder().map((s) => s.full_name),
      ballot: toBase64(sealed.ballot),
      tracking_code: sealed.trackingCode,
      marks: opening.marks,
      randomness: opening.randomness,
    };
    state.opened = { json, fileName: `opened-ballot-${sealed.trackingCode.slice(0, 8)}.json` };
    // The fresh ballot is encrypted while the delegate reads.
    encryptAllRows();
    show('checked');
  } catch (e) {
    sealFailed(e);
  }
}

/** After a check: back to the review, with a ballot encrypted afresh and its new code. */
function freshBallot() {
  state.opened = null;
  show('review');
  seal();
}

/** Once a published tally holds them, the codes this member cast with say "counted". */
async function watchCounted() {
  if (countTimer) window.clearTimeout(countTimer);
  countTimer = null;
  const waiting = state.receipts.filter((r) => r.status === 'waiting');
  if (!waiting.length || !token()) return;
  let news = null;
  for (const r of waiting) {
    try {
      await api(`/votes/${r.voteId}/tracking-codes/${r.code}`);
      r.status = 'counted';
      news = t('code_counted');
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return;
      if (e instanceof ApiError && e.status === 404) {
        r.status = 'missing';
        news = t('code_missing');
      }
      // 409: not published yet; no network: later.
    }
  }
  if (news && ['done', 'no-open'].includes(state.view)) {
    render(false);
    announce(news);
  }
  if (state.receipts.some((r) => r.status === 'waiting')) {
    countTimer = window.setTimeout(watchCounted, POLL_MS);
  }
}

// Marks and the "a cast is under way" flag live in this tab only, under the member's id, so
// that a reload keeps them and signing out forgets them.
function key(kind) {
  return `tinnhiem.${kind}.${me()?.id}.${state.ballot?.vote_id}`;
}

function saveMarks() {
  sessionStorage.setItem(key('marks'), JSON.stringify(state.marks));
}

function loadMarks() {
  try {
    return JSON.parse(sessionStorage.getItem(key('marks')) || '{}') || {};
  } catch {
    return {};
  }
}

function setPending(on) {
  if (on) sessionStorage.setItem(key('pending'), '1');
  else sessionStorage.removeItem(key('pending'));
}

function isPending() {
  return sessionStorage.getItem(key('pending')) === '1';
}

function forgetBallot() {
  sessionStorage.removeItem(key('marks'));
  sessionStorage.removeItem(key('pending'));
  sessionStorage.removeItem(key('sealed'));
}

/** A committee vote's ballot being cast, kept in this tab so that a reload sends the same one
 * (its bytes and code, never its randomness). */
function savePendingSealed(sealed) {
  sessionStorage.setItem(
    key('sealed'),
    JSON.stringify({ ballot: toBase64(sealed.ballot), code: sealed.trackingCode, key: sealed.key }),
  );
}

function loadPendingSealed() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(key('sealed')) || 'null');
    if (!kept) return null;
    return { ballot: fromBase64(kept.ballot), trackingCode: kept.code, key: kept.key, sent: true };
  } catch {
    return null;
  }
}

// The tracking codes this member cast with, kept on the tablet (localStorage) for each vote
// until its tally is published and beyond: a code names an encrypted ballot and tells nothing
// of what it holds.
const CODE_PREFIX = 'tinnhiem.code.';

function codeKey(voteId) {
  return `${CODE_PREFIX}${me()?.id}.${voteId}`;
}

function keepCode(voteId, title, code) {
  try {
    localStorage.setItem(codeKey(voteId), JSON.stringify({ code, title }));
  } catch {
    // Private mode: the code shows until the page is left.
  }
  const known = state.receipts.find((r) => r.voteId === voteId);
  if (known) Object.assign(known, { code, title, status: 'waiting' });
  else state.receipts.push({ voteId, title, code, status: 'waiting' });
}

function loadReceipts() {
  const mine = `${CODE_PREFIX}${me()?.id}.`;
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (!k || !k.startsWith(mine)) continue;
      const kept = JSON.parse(localStorage.getItem(k) || 'null');
      if (kept && /^[0-9a-f]{64}$/.test(kept.code)) {
        const voteId = k.slice(mine.length);
        const known = state.receipts.find((r) => r.voteId === voteId);
        out.push({ voteId, title: kept.title, code: kept.code, status: known?.status || 'waiting' });
      }
    }
  } catch {
    // No storage: nothing kept.
  }
  state.receipts = out;
}

function receiptOf(voteId) {
  return state.receipts.find((r) => r.voteId === voteId) || null;
}

/** Marks kept from another member who used this tab are dropped at sign-in. */
function dropOtherMembersMarks() {
  const mine = `.${me()?.id}.`;
  for (let i = sessionStorage.length - 1; i >= 0; i--) {
    const k = sessionStorage.key(i);
    if (k && /^tinnhiem\.(marks|pending|sealed)\./.test(k) && !k.includes(mine)) {
      sessionStorage.removeItem(k);
    }
  }
}

function noOpenView() {
  const receipts = state.receipts;
  return el(
    'div',
    {},
    messageCard(t('no_open_vote_title'), t('no_open_vote')),
    receipts.length
      ? el(
          'section',
          { class: 'card receipts', 'aria-labelledby': 'receipts-title' },
          el('h2', { id: 'receipts-title' }, t('receipts_title')),
          receipts.map((r) => receiptNode(r, true)),
        )
      : null,
  );
}

/** A cast ballot's tracking code and whether it was counted, as the delegate reads it. */
function receiptNode(receipt, withTitle) {
  const status = {
    waiting: el('p', { class: 'code-status' }, t('code_waiting')),
    counted: el(
      'p',
      { class: 'code-status counted' },
      el('span', { 'aria-hidden': 'true' }, '✓ '),
      t('code_counted'),
    ),
    missing: el('p', { class: 'error', role: 'alert' }, t('code_missing')),
  }[receipt.status];
  return el(
    'div',
    { class: 'receipt', dataset: { voteId: receipt.voteId, status: receipt.status } },
    withTitle && receipt.title ? el('h3', {}, receipt.title) : null,
    codeBlock(receipt.code),
    status,
  );
}

/** The tracking code, short and grouped to be read aloud, with the whole code below it. */
function codeBlock(code) {
  return el(
    'div',
    { class: 'tracking' },
    el('p', { class: 'tracking-label' }, t('tracking_code')),
    el('p', { class: 'tracking-code', dataset: { code } }, shortCode(code)),
    el('p', { class: 'tracking-full' }, t('tracking_code_whole', { code })),
  );
}

function chooseView() {
  return el(
    'section',
    { class: 'card' },
    el('h1', {}, t('choose_vote_title')),
    el('p', {}, t('choose_vote')),
    el(
      'ul',
      { class: 'choose-list' },
      state.votes.map((v) =>
        el(
          'li',
          {},
          el(
            'button',
            { type: 'button', class: 'primary wide', onclick: () => loadBallot(v.id) },
            v.title,
          ),
        ),
      ),
    ),
  );
}

function subjectsInOrder() {
  return [...state.ballot.subjects].sort((a, b) => a.order - b.order);
}

function markedCount() {
  const ids = new Set(state.ballot.subjects.map((s) => s.id));
  return Object.keys(state.marks).filter((id) => ids.has(id)).length;
}

function ballotView() {
  const b = state.ballot;
  const counter = el('p', { class: 'counter' });
  const updateCounter = () => {
    counter.textContent = t('marked_count', { n: markedCount(), total: b.subjects.length });
  };
  updateCounter();
  const rows = subjectsInOrder().map((s, i) => subjectRow(s, i, b.choices, updateCounter));
  const form = el(
    'form',
    {
      class: 'ballot',
      id: 'ballot-form',
      method: 'post',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        state.notice = null;
        show('review');
        if (isCommittee()) seal();
      },
    },
    rows,
    el(
      'div',
      { class: 'sticky-actions' },
      counter,
      el('button', { type: 'submit', class: 'primary', id: 'review-button' }, t('review_button')),
    ),
  );
  return el(
    'section',
    { class: 'ballot-page' },
    el('h1', { id: 'ballot-title' }, b.title),
    el(
      'p',
      { class: 'intro' },
      t(b.kind === 'confidence' ? 'ballot_intro_confidence' : 'ballot_intro_rating'),
    ),
    noticeNode(),
    form,
  );
}

function noticeNode() {
  if (!state.notice) return null;
  return el(
    'p',
    { class: state.noticeIsError ? 'error' : 'notice', role: state.noticeIsError ? 'alert' : null },
    state.notice,
  );
}

function nameBlock(s) {
  return [
    el('span', { class: 'order' }, `${s.order}.`),
    ' ',
    el('span', { class: 'name' }, s.full_name),
    ' ',
    el('span', { class: 'positions' }, s.positions.join('; ')),
  ];
}

function subjectRow(s, row, choices, changed) {
  const group = `s-${s.id}`;
  const clear = el(
    'button',
    {
      type: 'button',
      class: 'clear-row',
      'aria-label': t('clear_row_label', { name: s.full_name }),
      hidden: !state.marks[s.id],
    },
    t('clear_row'),
  );
  const fieldset = el(
    'fieldset',
    { class: 'subject', dataset: { subjectId: s.id } },
    el('legend', {}, nameBlock(s)),
    el(
      'div',
      { class: `choices n${choices.length}` },
      choices.map((c) =>
        el(
          'label',
          { class: 'choice', dataset: { choice: c } },
          el('input', {
            type: 'radio',
            name: group,
            value: c,
            checked: state.marks[s.id] === c,
            onchange: () => {
              state.marks[s.id] = c;
              saveMarks();
              encryptRow(row, c);
              clear.hidden = false;
              fieldset.classList.add('marked');
              changed();
            },
          }),
          el('span', {}, choiceLabel(c)),
        ),
      ),
    ),
    clear,
  );
  if (state.marks[s.id]) fieldset.classList.add('marked');
  clear.addEventListener('click', () => {
    delete state.marks[s.id];
    saveMarks();
    encryptRow(row, null);
    for (const input of fieldset.querySelectorAll('input')) input.checked = false;
    fieldset.classList.remove('marked');
    clear.hidden = true;
    changed();
    fieldset.querySelector('input').focus();
  });
  return fieldset;
}

/** The rows as the delegate marked them, in ballot order; `marks` by subject id. */
function markList(marks) {
  return el(
    'ol',
    { class: 'review-list' },
    subjectsInOrder().map((s) => {
      const mark = marks[s.id];
      return el(
        'li',
        { class: 'review-row', dataset: { subjectId: s.id } },
        el('div', { class: 'review-name' }, nameBlock(s)),
        el(
          'div',
          { class: `review-mark${mark ? '' : ' blank'}`, dataset: { mark: mark || 'blank' } },
          choiceLabel(mark || 'blank'),
        ),
      );
    }),
  );
}

function reviewView() {
  if (isCommittee()) return committeeReviewView();
  const b = state.ballot;
  const sending = state.view === 'sending';
  const subjects = subjectsInOrder();
  const blanks = subjects.filter((s) => !state.marks[s.id]).length;
  return el(
    'section',
    { class: 'review-page' },
    el('h1', {}, t('review_title')),
    el('p', { class: 'intro' }, b.title),
    el('p', {}, t('review_intro')),
    noticeNode(),
    el(
      'ol',
      { class: 'review-list' },
      subjects.map((s) => {
        const mark = state.marks[s.id];
        return el(
          'li',
          { class: 'review-row', dataset: { subjectId: s.id } },
          el('div', { class: 'review-name' }, nameBlock(s)),
          el(
            'div',
            { class: `review-mark${mark ? '' : ' blank'}`, dataset: { mark: mark || 'blank' } },
            choiceLabel(mark || 'blank'),
          ),
        );
      }),
    ),
    blanks ? el('p', { class: 'notice' }, t('blanks_warning', { n: blanks })) : null,
    el(
      'div',
      { class: 'actions' },
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          disabled: sending,
          onclick: () => {
            state.notice = null;
            show('ballot');
          },
        },
        t('edit_button'),
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'primary',
          id: 'cast-button',
          disabled: sending,
          'aria-busy': sending ? 'true' : null,
          onclick: cast,
        },
        sending ? t('casting') : t('cast_button'),
      ),
    ),
  );
}

/** A committee vote's review: the marks, the encrypted ballot's tracking code once the worker
 * has it, then Sửa lại, Kiểm tra phiếu (check) or Bỏ phiếu (cast). */
function committeeReviewView() {
  const b = state.ballot;
  const sending = state.view === 'sending';
  const blanks = subjectsInOrder().filter((s) => !state.marks[s.id]).length;
  const ready = Boolean(state.sealed) && !state.sealing;
  let code;
  if (state.sealError) {
    code = el('p', { class: 'error', role: 'alert' }, t('encrypt_failed', { detail: state.sealError }));
  } else if (ready) {
    code = codeBlock(state.sealed.trackingCode);
  } else {
    code = el('p', { class: 'notice sealing', 'aria-busy': 'true' }, t('encrypting'));
  }
  return el(
    'section',
    { class: 'review-page committee' },
    el('h1', {}, t('review_title')),
    el('p', { class: 'intro' }, b.title),
    el('p', {}, t('review_intro')),
    noticeNode(),
    markList(state.marks),
    blanks ? el('p', { class: 'notice' }, t('blanks_warning', { n: blanks })) : null,
    el(
      'section',
      { class: 'card sealed', 'aria-labelledby': 'sealed-title' },
      el('h2', { id: 'sealed-title' }, t('sealed_title')),
      code,
      el('p', { class: 'hint' }, t('tracking_code_help')),
      el('p', { class: 'hint' }, t('cast_or_check')),
    ),
    el(
      'div',
      { class: 'actions' },
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          disabled: sending,
          dataset: { focusKey: 'edit' },
          onclick: () => {
            state.notice = null;
            show('ballot');
          },
        },
        t('edit_button'),
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          id: 'check-button',
          // A ballot once sent may be in: opening it would make a receipt.
          disabled: sending || !ready || state.sealed.sent,
          dataset: { focusKey: 'check' },
          onclick: checkBallot,
        },
        t('check_button'),
      ),
      el(
        'button',
        {
          type: 'button',
          class: 'primary',
          id: 'cast-button',
          disabled: sending || !ready,
          'aria-busy': sending ? 'true' : null,
          dataset: { focusKey: 'cast' },
          onclick: cast,
        },
        sending ? t('casting') : t('cast_encrypted_button'),
      ),
    ),
  );
}

/** The ballot opened for a check: never cast. Its JSON to check elsewhere, then a fresh one. */
function checkedView() {
  const opened = state.opened;
  const marks = {};
  subjectsInOrder().forEach((s, i) => {
    const m = opened.json.marks[i];
    if (m !== null) marks[s.id] = state.ballot.choices[m];
  });
  const text = JSON.stringify(opened.json, null, 2);
  return el(
    'section',
    { class: 'review-page checked' },
    el('h1', {}, t('checked_title')),
    el('p', { class: 'intro' }, state.ballot.title),
    el('p', { class: 'notice' }, t('checked_intro')),
    codeBlock(opened.json.tracking_code),
    markList(marks),
    el('h2', {}, t('checked_how')),
    el('p', {}, t('checked_how_cli', { file: opened.fileName })),
    el(
      'p',
      {},
      t('checked_how_page'),
      ' ',
      el('a', { href: '/verify-ballot', target: '_blank', rel: 'noopener' }, t('verify_page_link')),
    ),
    el('label', { for: 'opened-json' }, t('opened_json')),
    el('textarea', { id: 'opened-json', class: 'opened-json', readonly: true, rows: 8, spellcheck: 'false' }, text),
    el(
      'div',
      { class: 'actions' },
      el(
        'button',
        { type: 'button', class: 'secondary', id: 'download-opened', onclick: () => saveFile(opened.fileName, text) },
        t('download_opened'),
      ),
      el(
        'button',
        { type: 'button', class: 'primary', id: 'fresh-button', onclick: freshBallot },
        t('fresh_ballot'),
      ),
    ),
  );
}

function doneView() {
  const reason = state.doneReason;
  const title = reason === 'already' ? t('already_cast_title') : t('cast_done_title');
  const text = reason === 'already' ? t('already_cast') : t('cast_done');
  return el(
    'section',
    { class: 'card done', id: 'done', dataset: { reason } },
    el('div', { class: 'big-check', 'aria-hidden': 'true' }, '✓'),
    el('h1', {}, title),
    state.ballot ? el('p', { class: 'intro' }, state.ballot.title) : null,
    el('p', {}, text),
    reason === 'retried' ? el('p', {}, t('cast_retried')) : null,
    state.ballot && receiptOf(state.ballot.vote_id) ? receiptNode(receiptOf(state.ballot.vote_id), false) : null,
    othersOpen()
      ? el('button', { type: 'button', class: 'primary wide', onclick: start }, t('other_ballots'))
      : null,
    el(
      'button',
      {
        type: 'button',
        class: 'secondary wide',
        onclick: signOut,
      },
      t('sign_out'),
    ),
  );
}

/** Open votes other than the one just cast in. */
function othersOpen() {
  return state.votes.some((v) => v.id !== state.ballot?.vote_id);
}

/** While "your ballot is in" shows, looks for another vote opening (a follow-up, say). */
async function watchForOthers() {
  if (state.view !== 'done') return;
  try {
    const had = othersOpen();
    const votes = await api(`/councils/${me().council_id}/votes`);
    state.votes = votes.filter((v) => v.state === 'open');
    if (state.view !== 'done') return;
    if (othersOpen() !== had) {
      render(false);
      if (!had) announce(t('other_ballots'));
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
  }
  pollTimer = window.setTimeout(watchForOthers, POLL_MS);
}

function stopPolling() {
  if (pollTimer) window.clearTimeout(pollTimer);
  pollTimer = null;
  if (countTimer) window.clearTimeout(countTimer);
  countTimer = null;
}

/** Finds the open vote; while there is none, looks again every few seconds, through outages. */
async function lookForVote() {
  try {
    await findVote();
    if (navigator.onLine && !state.sending) banner(null);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    if (state.view === 'no-open' && isTransient(e)) {
      banner(t('offline'));
      pollTimer = window.setTimeout(lookForVote, POLL_MS);
      return;
    }
    fail(e);
  }
}

async function findVote() {
  const votes = await api(`/councils/${me().council_id}/votes`);
  const open = votes.filter((v) => v.state === 'open');
  state.votes = open;
  loadReceipts();
  if (open.length === 0) {
    dropSealer();
    if (state.view !== 'no-open') show('no-open');
    else render(false);
    pollTimer = window.setTimeout(lookForVote, POLL_MS);
    if (!countTimer) watchCounted();
    return;
  }
  if (open.length === 1) {
    await loadBallot(open[0].id);
    return;
  }
  show('choose');
}

async function loadBallot(voteId) {
  try {
    const ballot = await api(`/votes/${voteId}/ballot`);
    state.ballot = ballot;
    if (ballot.cast) {
      state.doneReason = isPending() ? 'retried' : 'already';
      // A committee ballot sent before the reload, whose answer was lost: its code is ours.
      const sent = isPending() && isCommittee() ? loadPendingSealed() : null;
      if (sent) keepCode(ballot.vote_id, ballot.title, sent.trackingCode);
      forgetBallot();
      dropSealer();
      loadReceipts();
      show('done');
      pollTimer = window.setTimeout(watchForOthers, POLL_MS);
      watchCounted();
      return;
    }
    const valid = new Set(ballot.choices);
    const ids = new Set(ballot.subjects.map((s) => s.id));
    state.marks = Object.fromEntries(
      Object.entries(loadMarks()).filter(([id, c]) => ids.has(id) && valid.has(c)),
    );
    if (isCommittee() && ballot.encryption) await startSealer(ballot);
    else dropSealer();
    if (isPending()) {
      // A cast was under way when the page was left, and the server has no ballot: send it
      // again after one more look (in a committee vote, the same encrypted ballot).
      setPending(false);
      state.notice = t('resume_pending');
      state.noticeIsError = false;
      const sent = isCommittee() ? loadPendingSealed() : null;
      if (sent && sent.key === JSON.stringify(marksArray())) state.sealed = sent;
      show('review');
      if (isCommittee() && !state.sealed) seal();
      return;
    }
    show('ballot');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) fail(e);
  }
}

function isTransient(e) {
  return e instanceof NetworkError || (e instanceof ApiError && [429, 502, 503, 504].includes(e.status));
}

function showRetry(e, seconds) {
  state.retryShown = [e, seconds];
  const now = el(
    'button',
    { type: 'button', class: 'primary', onclick: () => waker.wake() },
    t('retry_now'),
  );
  const what = e instanceof NetworkError ? t('offline_cast') : `${e.detail} ${t('offline_cast')}`;
  banner(seconds ? `${what} ${t('retry_in', { s: seconds })}` : `${what} ${t('retrying')}`, now);
}

async function cast() {
  if (state.sending) return;
  if (isCommittee() && !state.sealed) return;
  state.sending = true;
  state.networkFailed = false;
  state.notice = null;
  setPending(true);
  show('sending', { focus: false });
  document.getElementById('cast-button')?.focus();
  announce(t('casting'));
  const voteId = state.ballot.vote_id;
  const marks = { ...state.marks };
  // In a committee vote: the encrypted ballot under review, the same one on every attempt.
  const sealed = isCommittee() ? state.sealed : null;
  let body = { marks };
  if (sealed) {
    body = { encrypted: { ballot_id: state.ballot.encryption.ballot_id, ballot: toBase64(sealed.ballot) } };
    savePendingSealed(sealed);
    // Sent, it may be in: it can no longer be opened, and the worker forgets its randomness
    // now, so that no later ballot shares a row with it.
    sealed.sent = true;
    sealer?.wipe().catch(() => {});
  }
  let attempt = 0;
  for (;;) {
    try {
      await api(`/votes/${voteId}/ballot`, { method: 'POST', body });
      finished(state.networkFailed ? 'retried' : 'cast', sealed);
      return;
    } catch (e) {
      if (e instanceof ApiError && e.slug === 'already-cast') {
        // After a lost answer this is our own ballot, stored once; otherwise it was cast
        // earlier (another tab or tablet). Either way the ballot is in.
        finished(state.networkFailed ? 'retried' : 'already', state.networkFailed ? sealed : null);
        return;
      }
      if (!isTransient(e)) {
        state.sending = false;
        state.retryShown = null;
        setPending(false);
        banner(null);
        if (e instanceof ApiError && e.status === 401) return; // the sign-in form takes over
        if (e instanceof ApiError && e.slug === 'invalid-state') {
          fail(e);
          return;
        }
        state.notice = e instanceof ApiError ? e.detail : t('network_error');
        state.noticeIsError = true;
        show('review');
        return;
      }
      state.networkFailed = true;
      const seconds = e.retryAfter || BACKOFF[Math.min(attempt, BACKOFF.length - 1)];
      attempt += 1;
      showRetry(e, seconds);
      await waker.sleep(seconds * 1000);
      showRetry(e, 0);
    }
  }
}

/** The ballot is in. `sealed`: the committee ballot this tablet cast, whose code is kept; its
 * randomness dies with the worker. */
function finished(reason, sealed = null) {
  state.sending = false;
  state.retryShown = null;
  state.doneReason = reason;
  forgetBallot();
  state.marks = {};
  if (sealed) keepCode(state.ballot.vote_id, state.ballot.title, sealed.trackingCode);
  if (sealed) sealed.ballot.fill(0);
  dropSealer();
  banner(null);
  show('done');
  announce(t('cast_done_title'));
  stopPolling();
  pollTimer = window.setTimeout(watchForOthers, POLL_MS);
  watchCounted();
}

window.addEventListener('online', () => {
  if (state.sending) waker.wake();
  else banner(null);
});
window.addEventListener('offline', () => {
  if (!state.sending) banner(t('offline'));
});

start();
