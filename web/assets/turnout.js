// A vote's state and turnout as the chair's console and the oversight page show them: a badge,
// and ballots cast of the delegates who may vote, in words and as a bar.

import { t } from './i18n.js';
import { el } from './common.js';

export function stateBadge(vote) {
  return el('span', { class: `badge state-${vote.state}` }, t(`state_${vote.state}`));
}

export function turnoutBlock(vote) {
  const eligible = vote.eligible ?? 0;
  return el(
    'div',
    { class: 'turnout' },
    el('span', { class: 'turnout-label', id: `turnout-label-${vote.id}` }, t('turnout')),
    el(
      'strong',
      { class: 'turnout-numbers', 'aria-live': 'polite', dataset: { cast: vote.ballots_cast, eligible } },
      t('turnout_of', { cast: vote.ballots_cast, eligible }),
    ),
    el('progress', {
      max: Math.max(eligible, 1),
      value: vote.ballots_cast,
      'aria-labelledby': `turnout-label-${vote.id}`,
    }),
    vote.state === 'open' ? el('p', { class: 'hint' }, t('turnout_live')) : null,
  );
}

/** Updates the turnout of the card of `vote` under `main` in place, so that focus and reading
 * stay where they are; false when the card shows none. */
export function updateTurnout(main, vote) {
  const card = main.querySelector(`[data-vote-id="${vote.id}"]`);
  const numbers = card?.querySelector('.turnout-numbers');
  if (!numbers) return false;
  const eligible = vote.eligible ?? 0;
  if (numbers.dataset.cast !== String(vote.ballots_cast)) {
    numbers.dataset.cast = String(vote.ballots_cast);
    numbers.textContent = t('turnout_of', { cast: vote.ballots_cast, eligible });
    const bar = card.querySelector('progress');
    bar.max = Math.max(eligible, 1);
    bar.value = vote.ballots_cast;
  }
  return true;
}
