// The hall screen, for the projector: nothing to press once it shows. While a vote of the
// council is open, its turnout in large type, read again every few seconds; once a vote is
// closed and its tally published, the results in ballot order, as large as the screen allows,
// a page at a time when they do not fit, each page shown for some seconds in turn.
//
//   /display                 a chair's own council
//   /display?council=ID      the admin (or a chair, of their council)
//   &every=S                 seconds each page of results stays (default 10)

import { t } from './i18n.js';
import { el, api, ApiError, me, banner } from './common.js';
import { pageShell } from './shell.js';
import { printed, resultsTable } from './published.js';

/** The council's votes are read this often. */
const POLL_MS = 3000;
const params = new URLSearchParams(window.location.search);
const PAGE_MS = Math.max(2, Number(params.get('every')) || 10) * 1000;

const { state, main, show, render, start } = pageShell({
  name: 'display',
  state: {
    councils: [],
    councilId: null,
    council: null,
    votes: [],
    tallies: {},
    page: 0,
    pages: [[]],
  },
  views: { hall: hallView, councils: councilsView },
  mayUse: (who) => (who.roles || []).some((r) => r === 'admin' || r === 'chair'),
  refusal: { view: 'not-display', title: 'not_display' },
  load,
  expiredMessage: 'session_expired_plain',
  stop,
  languageChanged: () => paginate(),
});

let pollTimer = null;
let pageTimer = null;

function stop() {
  if (pollTimer) window.clearTimeout(pollTimer);
  if (pageTimer) window.clearInterval(pageTimer);
  pollTimer = null;
  pageTimer = null;
}

/** What the screen shows: the open vote (the latest opened), else the latest closed one. */
function current() {
  const by = (key) => (a, b) => String(b[key] || '').localeCompare(String(a[key] || ''));
  const open = state.votes.filter((v) => v.state === 'open').sort(by('opened_at'))[0];
  if (open) return { mode: 'turnout', vote: open };
  const closed = state.votes.filter((v) => v.state === 'closed').sort(by('closed_at'))[0];
  if (!closed) return { mode: 'waiting', vote: null };
  const tally = state.tallies[closed.id];
  return tally ? { mode: 'results', vote: closed, tally } : { mode: 'counting', vote: closed };
}

/** A key that changes only when the screen must be drawn anew. */
function screenKey() {
  const { mode, vote } = current();
  return `${mode}:${vote?.id || ''}`;
}

function councilsView() {
  return el(
    'section',
    { class: 'card message' },
    el('h1', {}, t('display_choose')),
    el(
      'ul',
      { class: 'links' },
      state.councils.map((c) => el('li', {}, el('a', { href: `/display?council=${c.id}` }, c.name))),
    ),
  );
}

function hallView() {
  const { mode, vote, tally } = current();
  const council = el('p', { class: 'hall-council' }, state.council?.name || '');
  if (mode === 'waiting') {
    return el('section', { class: 'hall', dataset: { mode } }, council, el('h1', { class: 'hall-title' }, t('display_waiting')));
  }
  const title = el('h1', { class: 'hall-title' }, vote.title);
  if (mode === 'turnout') {
    const eligible = vote.eligible ?? 0;
    return el(
      'section',
      { class: 'hall', dataset: { mode, voteId: vote.id } },
      council,
      title,
      el('p', { class: 'hall-label', id: 'hall-turnout-label' }, t('display_turnout')),
      el(
        'p',
        { class: 'hall-turnout', dataset: { cast: vote.ballots_cast, eligible } },
        el('span', { class: 'hall-cast' }, String(vote.ballots_cast)),
        el('span', { class: 'hall-of' }, ' / '),
        el('span', { class: 'hall-eligible' }, String(eligible)),
      ),
      el('progress', {
        class: 'hall-progress',
        max: Math.max(eligible, 1),
        value: vote.ballots_cast,
        'aria-labelledby': 'hall-turnout-label',
      }),
      el('p', { class: 'hall-label' }, t('display_turnout_note')),
    );
  }
  if (mode === 'counting') {
    return el('section', { class: 'hall', dataset: { mode, voteId: vote.id } }, council, title, el('p', { class: 'hall-label' }, t('display_counting')));
  }
  const base = t(tally.percent_base === 'seats' ? 'base_seats' : 'base_ballots', { n: tally.base });
  return el(
    'section',
    { class: 'hall', dataset: { mode, voteId: vote.id } },
    el(
      'div',
      { class: 'hall-head' },
      council,
      title,
      el(
        'p',
        { class: 'hall-figures' },
        `${t('ballots_cast')}: ${tally.ballots_cast} / ${tally.eligible} · ${t('base')}: ${base}`,
      ),
    ),
    resultsTable(tally, 'hall-results'),
    el(
      'p',
      { class: 'hall-footer' },
      el('span', { class: 'hall-page' }),
      ' ',
      el('span', { class: 'hall-note' }, t('display_percent_note', { example: printed('47.61') })),
    ),
  );
}

/** Splits the results into pages that fit the screen, and shows the current one. */
function paginate() {
  const body = main.querySelector('table.hall-results tbody');
  if (!body) return;
  const rows = [...body.rows];
  for (const r of rows) r.hidden = false;
  const footer = main.querySelector('.hall-footer');
  const room = window.innerHeight - body.getBoundingClientRect().top - (footer?.offsetHeight || 0) - 24;
  const pages = [];
  let page = [];
  let used = 0;
  for (const [i, r] of rows.entries()) {
    const h = r.getBoundingClientRect().height;
    if (page.length && used + h > room) {
      pages.push(page);
      page = [];
      used = 0;
    }
    page.push(i);
    used += h;
  }
  if (page.length) pages.push(page);
  state.pages = pages.length ? pages : [[]];
  if (state.page >= state.pages.length) state.page = 0;
  showPage();
}

function showPage() {
  const body = main.querySelector('table.hall-results tbody');
  if (!body) return;
  const shown = new Set(state.pages[state.page]);
  [...body.rows].forEach((r, i) => {
    r.hidden = !shown.has(i);
  });
  const label = main.querySelector('.hall-page');
  const section = main.querySelector('.hall');
  if (section) {
    section.dataset.page = String(state.page + 1);
    section.dataset.pages = String(state.pages.length);
  }
  if (label) {
    label.textContent = state.pages.length > 1 ? t('display_page', { n: state.page + 1, total: state.pages.length }) : '';
  }
}

function turnPage() {
  if (state.pages.length < 2) return;
  state.page = (state.page + 1) % state.pages.length;
  showPage();
}

function draw() {
  state.page = 0;
  render(false);
  paginate();
}

function updateTurnout() {
  const { mode, vote } = current();
  if (mode !== 'turnout') return;
  const numbers = main.querySelector('.hall-turnout');
  if (!numbers || numbers.dataset.cast === String(vote.ballots_cast)) return;
  const eligible = vote.eligible ?? 0;
  numbers.dataset.cast = String(vote.ballots_cast);
  numbers.dataset.eligible = String(eligible);
  numbers.querySelector('.hall-cast').textContent = String(vote.ballots_cast);
  numbers.querySelector('.hall-eligible').textContent = String(eligible);
  const bar = main.querySelector('.hall-progress');
  bar.max = Math.max(eligible, 1);
  bar.value = vote.ballots_cast;
}

async function refresh() {
  state.votes = await api(`/councils/${state.councilId}/votes`);
  const { mode, vote } = current();
  if (mode === 'counting') {
    try {
      state.tallies[vote.id] = await api(`/votes/${vote.id}/tally`);
    } catch (e) {
      // A committee vote's totals are not decrypted yet: the screen says the count is under way.
      if (!(e instanceof ApiError && e.slug === 'tally-not-published')) throw e;
    }
  }
}

async function poll() {
  const before = screenKey();
  try {
    await refresh();
    banner(null);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    banner(e instanceof ApiError ? e.detail : t('offline'));
  }
  if (screenKey() !== before) draw();
  else updateTurnout();
  pollTimer = window.setTimeout(poll, POLL_MS);
}

async function load() {
  const who = me();
  const wanted = params.get('council');
  if (who.roles.includes('admin')) {
    state.councils = await api('/councils');
    state.councilId = state.councils.find((c) => c.id === wanted)?.id || (state.councils.length === 1 ? state.councils[0].id : null);
    if (!state.councilId) {
      show('councils');
      return;
    }
  } else {
    state.councilId = who.council_id;
  }
  state.council = await api(`/councils/${state.councilId}`);
  await refresh();
  show('hall');
  paginate();
  pollTimer = window.setTimeout(poll, POLL_MS);
  pageTimer = window.setInterval(turnPage, PAGE_MS);
}

window.addEventListener('resize', () => {
  if (state.view === 'hall') paginate();
});

start();
