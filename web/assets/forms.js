// The forms of the secretariat's page: a place for each refusal of the API next to the field
// its detail names (read out as it appears), labelled inputs, a button busy while its request
// runs, and a form that sends one CSV file.

import { t } from './i18n.js';
import { el, ApiError } from './common.js';

/** The field an API refusal names: the start of its detail (`title`, `subjects[1].positions[0]`,
 * `committee.members[0]`), or the username of a `username-taken`. */
export function fieldOf(err) {
  if (!(err instanceof ApiError)) return null;
  if (err.slug === 'username-taken') return 'username';
  const m = /^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*)\s/.exec(err.detail);
  return m ? m[1] : null;
}

/** `subjects[1].positions[0]`, then `subjects[1].positions`, `subjects[1]`, `subjects`. */
function widening(path) {
  const out = [path];
  for (let p = path; ; ) {
    const q = p.replace(/(\[\d+\]|\.[a-z_]+)$/, '');
    if (q === p || !q) return out;
    out.push(q);
    p = q;
  }
}

/**
 * The error places of one form: one at its top, and one under each field registered by the
 * name the API gives it. Each is a live region present from the start, so a screen reader
 * reads what appears in it.
 */
export function formErrors(name) {
  const top = el('p', { class: 'form-error', 'aria-live': 'assertive', 'aria-atomic': 'true' });
  const fields = new Map();
  const slots = {
    top,
    /** A place for the errors of `key` (and of `aliases`), under `input`. */
    slot(key, input, aliases = []) {
      const id = `err-${name}-${key.replace(/[^\w-]/g, '-')}`;
      const node = el('p', { class: 'field-error', id, 'aria-live': 'assertive', 'aria-atomic': 'true' });
      if (input) {
        const before = input.getAttribute('aria-describedby');
        input.setAttribute('aria-describedby', before ? `${before} ${id}` : id);
      }
      for (const k of [key, ...aliases]) fields.set(k, { node, input });
      return node;
    },
    /** Forgets the places whose key starts with `prefix` (rows drawn again). */
    forget(prefix) {
      for (const k of [...fields.keys()]) if (k.startsWith(prefix)) fields.delete(k);
    },
    clear() {
      top.replaceChildren();
      for (const { node, input } of fields.values()) {
        node.replaceChildren();
        input?.removeAttribute('aria-invalid');
      }
    },
    /** Shows `err` by the field it names, or at the top; `lines` lists an import's lines. */
    show(err) {
      slots.clear();
      const text = err instanceof ApiError ? err.detail : t('network_error');
      const key = fieldOf(err);
      const place = key && widening(key).map((k) => fields.get(k)).find(Boolean);
      const node = place ? place.node : top;
      if (err instanceof ApiError && err.errors.some((e) => e.line)) {
        node.append(
          el('span', {}, t('import_refused')),
          el(
            'ul',
            { class: 'line-errors' },
            err.errors.map((e) =>
              el('li', { dataset: { line: e.line } }, `${t('line_n', { n: e.line })} ${e.message}`),
            ),
          ),
        );
      } else {
        node.textContent = text;
      }
      if (place?.input) {
        place.input.setAttribute('aria-invalid', 'true');
        place.input.focus();
      }
    },
  };
  return slots;
}

/** A labelled text input with its error place: `[wrapper, input]`. */
export function field(errors, key, id, label, attrs = {}, hint = null) {
  const input = el('input', { id, name: key, ...attrs });
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  const slot = errors.slot(key, input);
  return [
    el(
      'div',
      { class: 'field' },
      el('label', { for: id }, label),
      hint ? el('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
      input,
      slot,
    ),
    input,
  ];
}

/** Runs `work` with `button` busy; errors go to `errors`. Resolves to the work's answer or null. */
export async function busy(button, errors, work) {
  errors.clear();
  button.disabled = true;
  try {
    return await work();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    errors.show(e);
    return null;
  } finally {
    button.disabled = false;
  }
}

function readFile(input) {
  const file = input.files?.[0];
  return file ? file.text() : Promise.resolve(null);
}

/**
 * A form that sends one CSV file: `#${name}-csv`, under the title and `hint` with `example`
 * shown as it is; `button` is `[class, words]`; `send(text)` makes the request, `done(answer)`
 * follows an accepted file; `doneNote`, the id of a note under the field. A refused file is
 * listed line by line by the field, and nothing else is done.
 */
export function csvImportForm({ name, title, hint, example, button, send, done, doneNote = null }) {
  const errors = formErrors(`${name}-import`);
  const id = `${name}-csv`;
  const file = el('input', { type: 'file', id, accept: '.csv,text/csv' });
  const slot = errors.slot('file', file);
  file.setAttribute('aria-describedby', `${id}-hint ${slot.id}`);
  const submit = el('button', { type: 'submit', class: button[0] }, button[1]);
  return el(
    'form',
    {
      class: 'card office-form',
      novalidate: true,
      'aria-labelledby': `${name}-import-title`,
      onsubmit: async (event) => {
        event.preventDefault();
        const answer = await busy(submit, errors, async () => {
          const text = await readFile(file);
          if (text === null) {
            slot.textContent = t('choose_file');
            file.focus();
            return null;
          }
          return send(text);
        });
        if (answer) await done(answer);
      },
    },
    el('h3', { id: `${name}-import-title` }, title),
    el('p', { class: 'hint', id: `${id}-hint` }, hint),
    el('pre', { class: 'csv-example' }, example),
    errors.top,
    el('div', { class: 'field' }, el('label', { for: id }, t('csv_file')), file, slot),
    doneNote ? el('p', { class: 'done-note', id: doneNote }) : null,
    submit,
  );
}
