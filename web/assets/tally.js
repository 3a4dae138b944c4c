// The published tally as a table: one row per person in ballot order, each choice's count and
// percentage, blanks, and the outcome in words (and colour, never colour alone).

import { t, choiceLabel, outcomeLabel, percent, time } from './i18n.js';
import { el } from './common.js';

const MARKERS = {
  may_resign: '⚠',
  dismissal_required: '‼',
  dismissal_proposed: '‼',
};

/** The outcome as a badge: a marker, then the words. */
export function outcomeBadge(outcome) {
  if (outcome === 'none') return el('span', { class: 'outcome outcome-none' }, t('outcome_none'));
  return el(
    'span',
    { class: `outcome outcome-${outcome}` },
    el('span', { class: 'marker', 'aria-hidden': 'true' }, MARKERS[outcome] || '!'),
    ' ',
    outcomeLabel(outcome),
  );
}

function summary(tally) {
  const base = t(tally.percent_base === 'seats' ? 'base_seats' : 'base_ballots', { n: tally.base });
  const items = [
    [t('seats'), tally.seats],
    [t('eligible'), tally.eligible],
    [t('ballots_cast'), tally.ballots_cast],
    [t('base'), base],
    [t('opened_at'), time(tally.opened_at)],
    [t('closed_at'), time(tally.closed_at)],
  ];
  return el(
    'dl',
    { class: 'summary' },
    items.map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, String(v)))),
  );
}

/** The summary and the results table of `tally` (the API's Tally shape). */
export function renderTally(tally) {
  const keys = Object.keys(tally.results[0]?.counts || {});
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col' }, t('col_subject')),
    keys.map((k) => el('th', { scope: 'col', class: 'num' }, choiceLabel(k))),
    el('th', { scope: 'col', class: 'outcome-col' }, t('col_outcome')),
  );
  const rows = tally.results.map((r, i) =>
    el(
      'tr',
      { class: `result outcome-row-${r.outcome}`, dataset: { outcome: r.outcome, subjectId: r.subject_id } },
      el(
        'th',
        { scope: 'row' },
        el('span', { class: 'order' }, `${i + 1}.`),
        ' ',
        el('span', { class: 'name' }, r.full_name),
        ' ',
        el('span', { class: 'positions' }, r.positions.join('; ')),
        // Shown here instead of in the last column when the table is narrow (style.css).
        el('span', { class: 'outcome-inline' }, outcomeBadge(r.outcome)),
      ),
      keys.map((k) =>
        el(
          'td',
          { class: 'num', dataset: { key: k } },
          el('span', { class: 'count' }, String(r.counts[k])),
          ' ',
          el('span', { class: 'pct' }, percent(r.percents[k])),
        ),
      ),
      el('td', { class: 'outcome-cell outcome-col' }, outcomeBadge(r.outcome)),
    ),
  );
  return el(
    'div',
    { class: 'tally', dataset: { voteId: tally.vote_id, ballotsCast: tally.ballots_cast } },
    summary(tally),
    el(
      'div',
      { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': t('tally_title') },
      el(
        'table',
        { class: 'results' },
        el('caption', {}, `${t('tally_title')}: ${tally.title}`),
        el('thead', {}, head),
        el('tbody', {}, rows),
      ),
    ),
    legend(tally.kind),
    exemptList(tally),
  );
}

/**
 * The people the vote did not rate (Art. 2(5)) and why, as the minutes list them; null when
 * there are none.
 */
export function exemptList(tally) {
  if (!tally.exempt?.length) return null;
  const id = `exempt-${tally.vote_id}`;
  return el(
    'section',
    { class: 'exempt-list', 'aria-labelledby': id },
    el('h3', { id }, t('minutes_exempt')),
    el('p', {}, t('minutes_exempt_note')),
    el(
      'ul',
      {},
      tally.exempt.map((p) =>
        el(
          'li',
          {},
          el('strong', {}, p.full_name),
          ` — ${p.positions.join('; ')}. `,
          el('span', { class: 'reason' }, `${t('exempt_reason')}: ${p.reason}`),
        ),
      ),
    ),
  );
}

/** What each highlighted outcome means, under the table. */
function legend(kind) {
  const outcomes = kind === 'confidence' ? ['dismissal_proposed'] : ['may_resign', 'dismissal_required'];
  return el(
    'ul',
    { class: 'outcome-legend', 'aria-label': t('legend_title') },
    outcomes.map((o) => el('li', {}, outcomeBadge(o), ': ', t(`explain_${o}`))),
  );
}
