// The lists of people a draft vote names, edited row by row on the secretariat's page: the
// people rated, in ballot order, and the people not rated (Art. 2(5) of Resolution
// 96/2023/QH15) with the reason. One editor serves both; a list differs only in its words and
// in the reason column.

import { t } from './i18n.js';
import { el, announce } from './common.js';

/** The two lists: the API's name for each, its words, and whether a row has a reason. */
export const SUBJECTS = {
  list: 'subjects',
  rowClass: 'subject-row',
  legend: 'subjects_title',
  hint: 'subjects_hint',
  add: 'add_row',
  reason: false,
};
export const EXEMPT = {
  list: 'exempt',
  rowClass: 'exempt-row',
  legend: 'minutes_exempt',
  hint: 'exempt_hint',
  add: 'add_exempt',
  reason: true,
};

/** Rows (positions as typed, `;` between them) as the API takes them. */
export function peopleOf(rows, kind = SUBJECTS) {
  return rows.map((r) => {
    const person = {
      full_name: r.full_name,
      positions: r.positions
        .split(';')
        .map((p) => p.trim())
        .filter(Boolean),
    };
    if (kind.reason) person.reason = r.reason;
    return person;
  });
}

/** The API's people as editable rows. */
export function rowsOf(people, kind = SUBJECTS) {
  return people.map((p) => {
    const row = { full_name: p.full_name, positions: p.positions.join('; ') };
    if (kind.reason) row.reason = p.reason || '';
    return row;
  });
}

/**
 * The editable list: a name and positions (and for the people not rated, the reason) on each
 * row, which moves up and down and is removed by its buttons, and a button to add a row. `rows`
 * is changed in place. Focus follows the row moved. Refusals of the API naming a row's field
 * (`subjects[2].positions`, `exempt[0].reason`) appear under that field.
 */
export function peopleEditor(rows, errors, prefix, kind = SUBJECTS) {
  const titleId = `${prefix}-${kind.list}-title`;
  const list = el('ol', { class: `person-rows ${kind.list}-rows`, 'aria-labelledby': titleId });
  const listSlot = errors.slot(kind.list, null);

  function draw(focusKey) {
    errors.forget(`${kind.list}[`);
    list.replaceChildren(...rows.map(rowItem));
    if (focusKey) {
      const target = list.querySelector(`[data-focus-key="${focusKey}"]`);
      (target && !target.disabled ? target : list.querySelector(`[data-focus-key^="${prefix}-name-"]`))?.focus();
    }
  }

  function move(i, j, key) {
    [rows[i], rows[j]] = [rows[j], rows[i]];
    draw(key);
    announce(t('row_moved', { name: rows[j].full_name || '…', n: j + 1 }));
  }

  /** A text input bound to `row[key]`, with its label and error place. */
  function input(row, i, key, id, label, extra = {}) {
    const node = el('input', {
      id,
      value: row[key],
      autocomplete: 'off',
      ...extra,
      oninput: (e) => {
        row[key] = e.target.value;
        extra.oninput?.(e);
      },
    });
    const aliases = key === 'positions' ? [`${kind.list}[${i}]`] : [];
    const slot = errors.slot(`${kind.list}[${i}].${key}`, node, aliases);
    return el('div', { class: `field ${key}-field` }, el('label', { for: id }, label), node, slot);
  }

  function rowItem(row, i) {
    const n = i + 1;
    const nameId = `${prefix}-name-${i}`;
    const labelled = [];
    // Each button names the person of its row, as typed so far.
    const relabel = () => {
      const who = row.full_name.trim() || t('row_n', { n });
      for (const [node, label] of labelled) node.setAttribute('aria-label', t(label, { name: who, n }));
    };
    const button = (key, word, label, onclick, disabled = false) => {
      const node = el(
        'button',
        { type: 'button', class: 'secondary small', dataset: { focusKey: `${prefix}-${key}-${i}` }, disabled, onclick },
        t(word),
      );
      labelled.push([node, label]);
      return node;
    };
    const item = el(
      'li',
      { class: `person-row ${kind.rowClass}`, dataset: { row: n } },
      el('span', { class: 'order', 'aria-hidden': 'true' }, `${n}.`),
      input(row, i, 'full_name', nameId, t('subject_name_n', { n }), {
        dataset: { focusKey: nameId },
        oninput: () => relabel(),
      }),
      input(row, i, 'positions', `${prefix}-pos-${i}`, t('subject_positions')),
      kind.reason ? input(row, i, 'reason', `${prefix}-reason-${i}`, t('exempt_reason')) : null,
      el(
        'div',
        { class: 'row-actions' },
        button('up', 'move_up', 'move_up_label', () => move(i, i - 1, `${prefix}-up-${i - 1}`), i === 0),
        button('down', 'move_down', 'move_down_label', () => move(i, i + 1, `${prefix}-down-${i + 1}`), i === rows.length - 1),
        button('remove', 'remove_row', 'remove_row_label', () => {
          const [gone] = rows.splice(i, 1);
          draw(`${prefix}-remove-${Math.min(i, rows.length - 1)}`);
          if (rows.length === 0) add.focus();
          announce(t('row_removed', { name: gone.full_name || '…' }));
        }),
      ),
    );
    relabel();
    return item;
  }

  const add = el(
    'button',
    {
      type: 'button',
      class: 'secondary',
      dataset: { focusKey: `${prefix}-add` },
      onclick: () => {
        const row = { full_name: '', positions: '' };
        if (kind.reason) row.reason = '';
        rows.push(row);
        draw(`${prefix}-name-${rows.length - 1}`);
      },
    },
    t(kind.add),
  );
  draw();
  return el(
    'fieldset',
    { class: `person-editor ${kind.list}-editor` },
    el('legend', { id: titleId }, t(kind.legend)),
    el('p', { class: 'hint' }, t(kind.hint)),
    list,
    listSlot,
    add,
  );
}
