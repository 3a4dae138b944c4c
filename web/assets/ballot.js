// The delegate's ballot on a tablet: sign in, the open vote's ballot, review, cast, and a clear
// confirmation. A ballot whose answer was lost is sent again until the server answers: the
// server refuses a second ballot from the same delegate (409 already-cast), so a retry can never
// cast twice, and that refusal after a lost answer means the first one arrived.

import { t, choiceLabel } from './i18n.js';
import { el, api, ApiError, NetworkError, me, messageCard, announce, banner, sleeper } from './common.js';
import { pageShell } from './shell.js';

/** Seconds between attempts to send a ballot whose answer did not come. */
const BACKOFF = [1, 2, 4, 8, 15];
/** How often the page looks for a vote to open, while none is. */
const POLL_MS = 5000;

const { state, show, render, start, fail, signOut } = pageShell({
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
  },
  views: {
    'no-open': noOpenView,
    choose: chooseView,
    ballot: ballotView,
    review: reviewView,
    sending: reviewView,
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
}

/** Marks kept from another member who used this tab are dropped at sign-in. */
function dropOtherMembersMarks() {
  const mine = `.${me()?.id}.`;
  for (let i = sessionStorage.length - 1; i >= 0; i--) {
    const k = sessionStorage.key(i);
    if (k && /^tinnhiem\.(marks|pending)\./.test(k) && !k.includes(mine)) {
      sessionStorage.removeItem(k);
    }
  }
}

function noOpenView() {
  return messageCard(t('no_open_vote_title'), t('no_open_vote'));
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
  const rows = subjectsInOrder().map((s) => subjectRow(s, b.choices, updateCounter));
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

function subjectRow(s, choices, changed) {
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
    for (const input of fieldset.querySelectorAll('input')) input.checked = false;
    fieldset.classList.remove('marked');
    clear.hidden = true;
    changed();
    fieldset.querySelector('input').focus();
  });
  return fieldset;
}

function reviewView() {
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
  if (open.length === 0) {
    if (state.view !== 'no-open') show('no-open');
    pollTimer = window.setTimeout(lookForVote, POLL_MS);
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
      forgetBallot();
      show('done');
      pollTimer = window.setTimeout(watchForOthers, POLL_MS);
      return;
    }
    const valid = new Set(ballot.choices);
    const ids = new Set(ballot.subjects.map((s) => s.id));
    state.marks = Object.fromEntries(
      Object.entries(loadMarks()).filter(([id, c]) => ids.has(id) && valid.has(c)),
    );
    if (isPending()) {
      // A cast was under way when the page was left, and the server has no ballot: send it
      // again after one more look.
      setPending(false);
      state.notice = t('resume_pending');
      state.noticeIsError = false;
      show('review');
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
  state.sending = true;
  state.networkFailed = false;
  state.notice = null;
  setPending(true);
  show('sending', { focus: false });
  document.getElementById('cast-button')?.focus();
  announce(t('casting'));
  const voteId = state.ballot.vote_id;
  const marks = { ...state.marks };
  let attempt = 0;
  for (;;) {
    try {
      await api(`/votes/${voteId}/ballot`, { method: 'POST', body: { marks } });
      finished(state.networkFailed ? 'retried' : 'cast');
      return;
    } catch (e) {
      if (e instanceof ApiError && e.slug === 'already-cast') {
        // After a lost answer this is our own ballot, stored once; otherwise it was cast
        // earlier (another tab or tablet). Either way the ballot is in.
        finished(state.networkFailed ? 'retried' : 'already');
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

function finished(reason) {
  state.sending = false;
  state.retryShown = null;
  state.doneReason = reason;
  forgetBallot();
  state.marks = {};
  banner(null);
  show('done');
  announce(t('cast_done_title'));
  stopPolling();
  pollTimer = window.setTimeout(watchForOthers, POLL_MS);
}

window.addEventListener('online', () => {
  if (state.sending) waker.wake();
  else banner(null);
});
window.addEventListener('offline', () => {
  if (!state.sending) banner(t('offline'));
});

start();
