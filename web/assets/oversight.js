// The oversight page (/oversight): a parent council's supervisors (a province above its
// districts) follow the votes of the councils below it: each vote's state and turnout, kept up
// to date while one is open, and its results once the tally is published. It only reads: the
// API refuses a supervisor every write, and this page offers none.
//
//   /oversight               a supervisor: the councils below their own
//   /oversight?council=ID    the admin: the councils below council ID

import { t, time } from './i18n.js';
import { el, api, ApiError, me, announce, banner } from './common.js';
import { pageShell } from './shell.js';
import { renderTally } from './tally.js';
import { stateBadge, turnoutBlock } from './turnout.js';

/** The councils' progress is read this often while a vote is open. */
const POLL_MS = 5000;
/** And this often while none is (a vote may open at any time). */
const IDLE_POLL_MS = 30000;

const { state, main, show, render, start } = pageShell({
  name: 'oversight',
  state: {
    /** The councils the admin may choose from: those that have councils below them. */
    parents: [],
    councilId: null,
    council: null,
    children: [],
    /** Published tallies shown, by vote id. */
    tallies: {},
    tallyErrors: {},
    updatedAt: null,
  },
  views: { overview: overviewView },
  mayUse: (who) => (who.roles || []).some((r) => r === 'supervisor' || r === 'admin'),
  refusal: { view: 'not-supervisor', title: 'not_supervisor' },
  load,
  expiredMessage: 'session_expired_plain',
  stop,
});

let pollTimer = null;

function stop() {
  if (pollTimer) window.clearTimeout(pollTimer);
  pollTimer = null;
}

const isAdmin = () => (me()?.roles || []).includes('admin');
const allVotes = () => state.children.flatMap((c) => c.votes);

function overviewView() {
  const votes = allVotes();
  const name = state.council?.name || '';
  return el(
    'section',
    { class: 'oversight-page' },
    el('h1', {}, t('oversight_title')),
    el('p', { class: 'intro' }, t('oversight_intro', { council: name })),
    councilPicker(),
    state.council
      ? el(
          'p',
          { class: 'summary-line', 'aria-live': 'polite' },
          t('oversight_summary', {
            councils: state.children.length,
            open: votes.filter((v) => v.state === 'open').length,
            published: votes.filter((v) => v.tally_published).length,
          }),
        )
      : null,
    state.updatedAt ? el('p', { class: 'hint' }, t('oversight_updated', { when: time(state.updatedAt) })) : null,
    state.council && state.children.length === 0
      ? el('p', { class: 'card' }, t('oversight_none', { council: name }))
      : null,
    state.children.map(childCard),
  );
}

function councilPicker() {
  if (!isAdmin()) return null;
  if (state.parents.length === 0) return el('p', { class: 'card' }, t('oversight_no_parents'));
  const select = el(
    'select',
    { id: 'oversight-council', dataset: { focusKey: 'council' }, onchange: () => choose(select.value) },
    state.parents.map((c) => el('option', { value: c.id, selected: c.id === state.councilId }, c.name)),
  );
  return el('div', { class: 'field' }, el('label', { for: 'oversight-council' }, t('oversight_parent')), select);
}

function childCard(child) {
  const headingId = `child-${child.id}`;
  return el(
    'section',
    { class: 'card child-council', dataset: { councilId: child.id }, 'aria-labelledby': headingId },
    el('h2', { id: headingId }, child.name),
    el('p', { class: 'meta' }, t('seats_n', { n: child.seats })),
    child.votes.length === 0
      ? el('p', {}, t('no_votes'))
      : el('ul', { class: 'vote-list oversight-votes' }, [...child.votes].reverse().map(voteItem)),
  );
}

function voteItem(vote) {
  const times = [
    vote.opened_at ? `${t('opened_at')}: ${time(vote.opened_at)}` : null,
    vote.closed_at ? `${t('closed_at')}: ${time(vote.closed_at)}` : null,
  ].filter(Boolean);
  return el(
    'li',
    { class: `vote state-${vote.state}`, dataset: { voteId: vote.id, state: vote.state } },
    el('div', { class: 'vote-head' }, el('h3', {}, vote.title), stateBadge(vote)),
    el('p', { class: 'meta' }, [t(`kind_${vote.kind}`), ...times].join(' · ')),
    vote.state !== 'draft' ? turnoutBlock(vote) : null,
    resultsPart(vote),
  );
}

/** Whether the results may be read, and they themselves once asked for. */
function resultsPart(vote) {
  if (vote.state !== 'closed') return null;
  if (!vote.tally_published) return el('p', { class: 'note' }, t('oversight_not_published'));
  const shown = state.tallies[vote.id];
  const toggle = el(
    'button',
    {
      type: 'button',
      class: 'secondary',
      'aria-expanded': String(Boolean(shown)),
      dataset: { focusKey: `tally-${vote.id}` },
      onclick: () => toggleTally(vote),
    },
    t(shown ? 'hide_tally' : 'show_tally'),
  );
  return el(
    'div',
    { class: 'oversight-results' },
    el('p', { class: 'note' }, t(vote.public ? 'oversight_public' : 'oversight_published')),
    toggle,
    state.tallyErrors[vote.id] ? el('p', { class: 'error', role: 'alert' }, state.tallyErrors[vote.id]) : null,
    shown ? renderTally(shown) : null,
  );
}

async function toggleTally(vote) {
  if (state.tallies[vote.id]) {
    delete state.tallies[vote.id];
    render(false);
    return;
  }
  delete state.tallyErrors[vote.id];
  try {
    state.tallies[vote.id] = await api(`/votes/${vote.id}/tally`);
    announce(t('tally_title'));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    state.tallyErrors[vote.id] = e instanceof ApiError ? e.detail : t('network_error');
  }
  render(false);
}

async function readChildren() {
  state.children = await api(`/councils/${state.councilId}/children`);
  state.updatedAt = new Date().toISOString();
}

function schedulePoll() {
  stop();
  const open = allVotes().some((v) => v.state === 'open');
  pollTimer = window.setTimeout(poll, open ? POLL_MS : IDLE_POLL_MS);
}

async function poll() {
  try {
    if (state.councilId) await readChildren();
    banner(null);
    render(false);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    banner(e instanceof ApiError ? e.detail : t('offline'));
  }
  schedulePoll();
}

async function choose(id) {
  state.councilId = id;
  state.council = state.parents.find((c) => c.id === id) || null;
  state.tallies = {};
  state.tallyErrors = {};
  await readChildren();
  render(false);
  schedulePoll();
}

async function load() {
  const who = me();
  if (isAdmin()) {
    const councils = await api('/councils');
    const parentIds = new Set(councils.map((c) => c.parent_id).filter(Boolean));
    state.parents = councils.filter((c) => parentIds.has(c.id));
    const wanted = new URLSearchParams(window.location.search).get('council');
    state.council = state.parents.find((c) => c.id === wanted) || state.parents[0] || null;
    state.councilId = state.council?.id || null;
  } else {
    state.councilId = who.council_id;
    state.council = await api(`/councils/${who.council_id}`);
  }
  if (state.councilId) await readChildren();
  show('overview');
  schedulePoll();
}

start();
