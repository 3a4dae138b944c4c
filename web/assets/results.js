// The public results: the tallies a council's chair has made public, read with no sign-in from
// GET /public/councils/{id}/results, most recently closed first, and printable as they are.
//
//   /results?council=ID

import { t, time } from './i18n.js';
import { el, api, me, token } from './common.js';
import { pageShell } from './shell.js';
import { figures, resultsTable } from './published.js';
import { exemptList } from './tally.js';

const { state, show, start } = pageShell({
  name: 'results',
  public: true,
  state: { councilId: null, tallies: [] },
  views: { public: publicView, 'no-council': noCouncilView },
  mayUse: () => true,
  refusal: { view: 'no-results', title: 'public_none' },
  load,
  expiredMessage: 'session_expired_plain',
});

function noCouncilView() {
  return el('section', { class: 'card message' }, el('h1', {}, t('public_title')), el('p', {}, t('public_no_council')));
}

function legend(kind) {
  const outcomes = kind === 'confidence' ? ['dismissal_proposed'] : ['may_resign', 'dismissal_required'];
  return el(
    'ul',
    { class: 'outcome-legend', 'aria-label': t('legend_title') },
    outcomes.map((o) => el('li', {}, t(`outcome_${o}`), ': ', t(`explain_${o}`))),
  );
}

function tallySection(tally) {
  const id = `tally-${tally.vote_id}`;
  return el(
    'article',
    { class: 'card public-tally', 'aria-labelledby': id, dataset: { voteId: tally.vote_id } },
    el('h2', { id }, tally.title),
    el('p', { class: 'meta' }, `${t(`kind_${tally.kind}`)} · ${t('public_closed', { when: time(tally.closed_at) })}`),
    figures(tally),
    el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': id }, resultsTable(tally, 'public-results')),
    legend(tally.kind),
    exemptList(tally),
  );
}

function publicView() {
  const name = state.tallies[0]?.council_name;
  return el(
    'section',
    { class: 'public-page' },
    el('h1', {}, t('public_title')),
    name ? el('p', { class: 'public-council' }, name) : null,
    el('p', { class: 'intro' }, t('public_intro')),
    state.tallies.length
      ? el('div', { class: 'actions no-print' }, el('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, t('print')))
      : el('p', { class: 'card' }, t('public_none')),
    state.tallies.map(tallySection),
  );
}

async function load() {
  const wanted = new URLSearchParams(window.location.search).get('council');
  state.councilId = wanted || (token() ? me()?.council_id : null) || null;
  if (!state.councilId) {
    show('no-council');
    return;
  }
  state.tallies = await api(`/public/councils/${encodeURIComponent(state.councilId)}/results`, { auth: false });
  show('public');
}

start();
