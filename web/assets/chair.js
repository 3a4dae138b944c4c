// The chair's console: the council's votes, opening and closing them after a confirmation, the
// turnout of an open vote kept up to date, and the tally once closed. A committee vote shows
// how far its counting committee is: its key (k of n members confirmed) before it opens, and
// the decryption of its totals (k of t members) after it closes, until the tally is published.

import { t } from './i18n.js';
import { el, api, ApiError, me, announce, banner, confirmDialog } from './common.js';
import { pageShell } from './shell.js';
import { renderTally } from './tally.js';
import { stateBadge, turnoutBlock, updateTurnout } from './turnout.js';

/** Turnout of open votes is read this often. */
const POLL_MS = 2500;
/** Every this many polls the whole list is read again (votes created or moved elsewhere). */
const LIST_EVERY = 4;

const { state, main, show, render, start } = pageShell({
  name: 'chair',
  state: {
    council: null,
    votes: [],
    tallies: {},
    /** Committee votes' progress: vote id → { done, of, failure }. */
    progress: {},
    expanded: new Set(),
    errors: {},
    busy: false,
  },
  views: { list: listView },
  mayUse: (who) => who.roles.includes('chair') && Boolean(who.council_id),
  refusal: { view: 'not-chair', title: 'not_chair' },
  load,
  expiredMessage: 'session_expired_plain',
  stop: stopPolling,
});

let pollTimer = null;
let polls = 0;

const ORDER = { open: 0, draft: 1, closed: 2 };

function sorted(votes) {
  return [...votes].sort(
    (a, b) =>
      ORDER[a.state] - ORDER[b.state] ||
      String(b.closed_at || b.opened_at || '').localeCompare(String(a.closed_at || a.opened_at || '')),
  );
}

function listView() {
  const votes = sorted(state.votes);
  return el(
    'section',
    { class: 'chair-page' },
    el('h1', {}, t('chair_title')),
    state.council ? el('p', { class: 'intro' }, state.council.name) : null,
    votes.length === 0 ? el('p', { class: 'card' }, t('no_votes')) : null,
    el('div', { class: 'vote-list' }, votes.map(voteCard)),
  );
}

/** A committee vote waiting on its committee: for its key (draft) or its decryption (closed). */
function waiting(vote) {
  if (vote.secrecy !== 'committee') return false;
  if (vote.state === 'draft') return vote.committee?.state === 'forming';
  return vote.state === 'closed' && !state.tallies[vote.id];
}

/** Reads how far the committee is; whether anything shown changed. */
async function refreshProgress(vote) {
  let next;
  if (vote.state === 'draft') {
    const c = await api(`/committees/${vote.committee.id}`);
    next = { done: c.members.filter((m) => m.confirmation).length, of: c.size, failure: c.failure };
  } else {
    const b = await api(`/votes/${vote.id}/ballots?limit=1`);
    next = { done: b.decrypted_by.length, of: vote.committee.threshold };
  }
  const before = JSON.stringify(state.progress[vote.id] || null);
  state.progress[vote.id] = next;
  return before !== JSON.stringify(next);
}

/** The tally of a closed vote, or null while a committee vote's totals are not yet decrypted. */
async function tallyOf(vote) {
  try {
    return await api(`/votes/${vote.id}/tally`);
  } catch (e) {
    if (e instanceof ApiError && e.slug === 'tally-not-published' && vote.secrecy === 'committee') {
      await refreshProgress(vote);
      return null;
    }
    throw e;
  }
}

function committeeBlock(vote) {
  const c = vote.committee;
  if (vote.secrecy !== 'committee' || !c) return null;
  const p = state.progress[vote.id];
  let line;
  let bar = null;
  if (vote.state === 'draft' && c.state === 'failed') {
    line = t('committee_key_failed', { why: p?.failure || '' });
  } else if (vote.state === 'draft' && c.state === 'ready') {
    line = t('committee_key_ready');
  } else if (vote.state === 'draft') {
    line = t('committee_key_progress', { done: p?.done ?? 0, n: c.members.length });
    bar = [p?.done ?? 0, c.members.length];
  } else if (vote.state === 'closed' && !state.tallies[vote.id]) {
    line = t('committee_decryption_progress', { done: p?.done ?? 0, t: c.threshold });
    bar = [p?.done ?? 0, c.threshold];
  } else {
    line = t('committee_secrecy', { t: c.threshold, n: c.members.length });
  }
  const id = `committee-${vote.id}`;
  return el(
    'div',
    { class: 'committee-progress' },
    el('p', { id, 'aria-live': 'polite' }, line),
    bar ? el('progress', { max: Math.max(bar[1], 1), value: bar[0], 'aria-labelledby': id }) : null,
  );
}

function voteCard(vote) {
  const actions = el('div', { class: 'actions' });
  if (vote.state === 'draft') {
    actions.append(
      el(
        'button',
        {
          type: 'button',
          class: 'primary',
          dataset: { focusKey: `open-${vote.id}` },
          onclick: () => confirmStep(vote, 'open'),
        },
        t('open_vote'),
      ),
    );
  } else if (vote.state === 'open') {
    actions.append(
      el(
        'button',
        {
          type: 'button',
          class: 'danger',
          dataset: { focusKey: `close-${vote.id}` },
          onclick: () => confirmStep(vote, 'close'),
        },
        t('close_vote'),
      ),
    );
  } else if (state.tallies[vote.id] || vote.secrecy !== 'committee') {
    const open = state.expanded.has(vote.id);
    actions.append(
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          'aria-expanded': open ? 'true' : 'false',
          'aria-controls': `tally-${vote.id}`,
          dataset: { focusKey: `tally-${vote.id}` },
          onclick: () => toggleTally(vote),
        },
        open ? t('hide_tally') : t('show_tally'),
      ),
    );
  }
  const tally = state.expanded.has(vote.id) ? state.tallies[vote.id] : null;
  return el(
    'article',
    { class: `card vote state-${vote.state}`, dataset: { voteId: vote.id, state: vote.state } },
    el('div', { class: 'vote-head' }, el('h2', {}, vote.title), stateBadge(vote)),
    el(
      'p',
      { class: 'meta' },
      `${t(`kind_${vote.kind}`)} · ${t('subjects_n', { n: vote.subjects.length })}`,
    ),
    vote.state !== 'draft' ? turnoutBlock(vote) : null,
    committeeBlock(vote),
    state.errors[vote.id] ? el('p', { class: 'error', role: 'alert' }, state.errors[vote.id]) : null,
    actions,
    tally ? el('div', { id: `tally-${vote.id}` }, renderTally(tally)) : null,
  );
}

async function toggleTally(vote) {
  if (state.expanded.has(vote.id)) {
    state.expanded.delete(vote.id);
    render(false);
    return;
  }
  try {
    state.tallies[vote.id] ||= await tallyOf(vote);
    if (state.tallies[vote.id]) state.expanded.add(vote.id);
    delete state.errors[vote.id];
  } catch (e) {
    state.errors[vote.id] = e instanceof ApiError ? e.detail : t('network_error');
  }
  render(false);
}

/** The confirmation dialog; resolves true when the chair confirms. */
async function confirmStep(vote, step) {
  if (state.busy) return;
  const current = state.votes.find((v) => v.id === vote.id) || vote;
  const missing = (current.eligible ?? 0) - current.ballots_cast;
  const yes =
    step === 'open'
      ? await confirmDialog(t('confirm_open_title'), [t('confirm_open', { title: vote.title })], t('open_vote'), false)
      : await confirmDialog(
          t('confirm_close_title'),
          [
            t('confirm_close', { title: vote.title }),
            missing > 0 ? t('confirm_close_missing', { n: missing }) : null,
          ],
          t('close_vote'),
          true,
        );
  const key = `${step}-${vote.id}`;
  if (!yes) {
    main.querySelector(`[data-focus-key="${key}"]`)?.focus();
    return;
  }
  state.busy = true;
  try {
    const updated = await api(`/votes/${vote.id}/${step}`, { method: 'POST' });
    replaceVote(updated);
    delete state.errors[vote.id];
    if (updated.state === 'closed') {
      const tally = await tallyOf(updated);
      if (tally) {
        state.tallies[vote.id] = tally;
        state.expanded.add(vote.id);
      }
      announce(t('closed_now', { title: vote.title }));
    } else {
      announce(t('opened_now', { title: vote.title }));
    }
  } catch (e) {
    state.errors[vote.id] = e instanceof ApiError ? e.detail : t('network_error');
  } finally {
    state.busy = false;
  }
  render(false);
  const next = step === 'open' ? `close-${vote.id}` : `tally-${vote.id}`;
  (main.querySelector(`[data-focus-key="${next}"]`) || main.querySelector(`[data-vote-id="${vote.id}"] h2`))?.focus();
  schedulePoll();
}

function replaceVote(vote) {
  const i = state.votes.findIndex((v) => v.id === vote.id);
  if (i >= 0) state.votes[i] = vote;
  else state.votes.push(vote);
}

function stopPolling() {
  if (pollTimer) window.clearTimeout(pollTimer);
  pollTimer = null;
}

function schedulePoll() {
  stopPolling();
  if (state.view !== 'list') return;
  pollTimer = window.setTimeout(poll, POLL_MS);
}

async function poll() {
  polls += 1;
  try {
    const before = state.votes.map((v) => `${v.id}:${v.state}:${v.committee?.state}`).join();
    if (polls % LIST_EVERY === 0) {
      state.votes = await api(`/councils/${me().council_id}/votes`);
    } else {
      for (const v of state.votes.filter((x) => x.state === 'open')) {
        replaceVote(await api(`/votes/${v.id}`));
      }
    }
    banner(null);
    const after = state.votes.map((v) => `${v.id}:${v.state}:${v.committee?.state}`).join();
    let changed = before !== after;
    for (const v of state.votes.filter(waiting)) {
      if (v.state === 'draft') changed = (await refreshProgress(v)) || changed;
    }
    if (changed || state.votes.some((v) => v.state === 'closed' && waiting(v))) {
      for (const v of state.votes) {
        if (v.state === 'closed' && !state.tallies[v.id]) {
          const before = JSON.stringify(state.progress[v.id] || null);
          const tally = await tallyOf(v);
          if (tally) {
            state.tallies[v.id] = tally;
            state.expanded.add(v.id);
            changed = true;
          } else if (before !== JSON.stringify(state.progress[v.id])) {
            changed = true;
          }
        }
      }
    }
    if (changed) {
      render(false);
    } else {
      for (const v of state.votes.filter((x) => x.state === 'open')) updateTurnout(main, v);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    banner(e instanceof ApiError ? e.detail : t('offline'));
  }
  schedulePoll();
}

async function load() {
  const who = me();
  const [council, votes] = await Promise.all([
    api(`/councils/${who.council_id}`),
    api(`/councils/${who.council_id}/votes`),
  ]);
  state.council = council;
  state.votes = votes;
  for (const v of votes.filter(waiting)) {
    if (v.state === 'draft') await refreshProgress(v);
    else state.tallies[v.id] = await tallyOf(v);
  }
  show('list');
  schedulePoll();
}

start();
