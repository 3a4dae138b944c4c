// Published results as a council prints them, for the hall screen and the public page: one row
// per person in ballot order, each choice's percentage written the Vietnamese way ("47,61%")
// with its count, blanks, and the outcome in words.

import { t, choiceLabel, getLang, time } from './i18n.js';
import { el } from './common.js';
import { outcomeBadge } from './tally.js';

/** "47.61" as councils print it: "47,61%" in Vietnamese, "47.61%" in English. */
export function printed(s) {
  return `${getLang() === 'vi' ? String(s).replace('.', ',') : s}%`;
}

/** Seats, eligible, ballots cast and the base, in one line of figures. */
export function figures(tally) {
  const base = t(tally.percent_base === 'seats' ? 'base_seats' : 'base_ballots', { n: tally.base });
  return el(
    'dl',
    { class: 'summary figures' },
    [
      [t('seats'), tally.seats],
      [t('eligible'), tally.eligible],
      [t('ballots_cast'), tally.ballots_cast],
      [t('base'), base],
      [t('closed_at'), time(tally.closed_at)],
    ].map(([k, v]) => el('div', {}, el('dt', {}, k), el('dd', {}, String(v)))),
  );
}

/** The results table of `tally` (the API's Tally shape), every row in ballot order. */
export function resultsTable(tally, cls) {
  const keys = Object.keys(tally.results[0]?.counts || {});
  return el(
    'table',
    { class: `results printed ${cls}`, dataset: { voteId: tally.vote_id } },
    el('caption', { class: 'visually-hidden' }, `${t('tally_title')}: ${tally.title}`),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col', class: 'num' }, t('minutes_number')),
        el('th', { scope: 'col' }, t('col_subject')),
        keys.map((k) => el('th', { scope: 'col', class: 'num' }, choiceLabel(k))),
        el('th', { scope: 'col' }, t('col_outcome')),
      ),
    ),
    el(
      'tbody',
      {},
      tally.results.map((r, i) =>
        el(
          'tr',
          { class: `result outcome-row-${r.outcome}`, dataset: { outcome: r.outcome, row: i + 1 } },
          el('td', { class: 'num stt' }, `${i + 1}`),
          el(
            'th',
            { scope: 'row' },
            el('span', { class: 'name' }, r.full_name),
            ' ',
            el('span', { class: 'positions' }, r.positions.join('; ')),
          ),
          keys.map((k) =>
            el(
              'td',
              { class: 'num', dataset: { key: k } },
              el('span', { class: 'pct' }, printed(r.percents[k])),
              ' ',
              el('span', { class: 'count' }, t('votes_n', { n: r.counts[k] })),
            ),
          ),
          el('td', { class: 'outcome-cell' }, outcomeBadge(r.outcome)),
        ),
      ),
    ),
  );
}
