// The ballot checker page (/verify-ballot): one paste or one file of an opened ballot's JSON
// (docs/verifiable.md §5.7), the same checks as `tinnhiem check-ballot`, all in this page, which
// makes no request at all. It is not served as a module: src/api/pages.rs puts it, the crypto
// modules it imports and the words (`WORDS`, both languages) into one inline script of one
// document, so that "Save page as" keeps a checker that works offline, from a file.
/* global WORDS */

import * as B from './crypto/ballot.js';

const PROTOCOL = B.PROTOCOL;

/** Both languages, Vietnamese first: the page is read by whoever checks, on any device. */
function both(key, vars = {}) {
  const fill = (text) => text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
  return ['vi', 'en'].map((lang) => {
    const span = document.createElement('span');
    span.lang = lang;
    span.className = `lang-${lang}`;
    span.textContent = fill(WORDS[lang][key] ?? WORDS.vi[key] ?? key);
    return span;
  });
}

function node(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  for (const c of children.flat()) n.append(c);
  return n;
}

function hexField(json, field, length) {
  const bytes = B.fromHex(json[field]);
  if (bytes.length !== length) throw new Error(`${field} is ${bytes.length} bytes, not ${length}`);
  return bytes;
}

/**
 * Checks an opened ballot's text: `{ error }` when it is not one, otherwise what each check
 * found and what the ballot holds, row by row.
 */
export function checkOpened(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { error: `not JSON: ${e.message}` };
  }
  try {
    if (!json || typeof json !== 'object') throw new Error('not an opened ballot');
    if (json.protocol !== PROTOCOL) throw new Error(`protocol ${JSON.stringify(json.protocol)}: this page checks ${PROTOCOL}`);
    const manifestHash = hexField(json, 'manifest_hash', 32);
    const ballotId = hexField(json, 'ballot_id', 16);
    const key = B.jointKey(hexField(json, 'joint_key', 32));
    const code = hexField(json, 'tracking_code', 32);
    const { choices, marks, randomness } = json;
    if (!Array.isArray(choices) || !choices.length || !choices.every((c) => typeof c === 'string')) {
      throw new Error('choices is not a list of names');
    }
    if (!Array.isArray(marks) || !Array.isArray(randomness) || marks.length !== randomness.length) {
      throw new Error('marks and randomness are not lists of one entry per row');
    }
    marks.forEach((m, i) => {
      if (m !== null && !(Number.isInteger(m) && m >= 0 && m < choices.length)) {
        throw new Error(`row ${i + 1}: mark ${JSON.stringify(m)} is not a choice`);
      }
    });
    const rs = randomness.map((row, i) => {
      if (!Array.isArray(row) || row.length !== choices.length) {
        throw new Error(`row ${i + 1}: not one r per choice`);
      }
      return row.map((r) => hexField({ r }, 'r', 32));
    });
    const bytes = B.fromBase64(json.ballot);
    const rows = marks.length;
    const n = choices.length;
    if (bytes.length !== B.ballotSize(rows, n)) {
      throw new Error(`the ballot is ${bytes.length} bytes, where ${rows} rows of ${n} choices make ${B.ballotSize(rows, n)}`);
    }
    let failure = null;
    let proofs = true;
    try {
      B.verifyBallot({ key, manifestHash, ballotId, rows, choices: n, bytes });
    } catch (e) {
      proofs = false;
      failure = e.message;
    }
    let codeHolds = false;
    let opens = false;
    try {
      codeHolds = B.toHex(B.trackingCode(manifestHash, ballotId, bytes, rows, n)) === B.toHex(code);
      opens = B.opens(key, bytes, rows, n, { marks, randomness: rs });
    } catch (e) {
      failure ??= e.message;
    }
    return {
      proofs,
      code: codeHolds,
      opens,
      failure,
      holds: proofs && codeHolds && opens,
      trackingCode: json.tracking_code,
      rows: marks.map((m) => (m === null ? 'blank' : choices[m])),
      subjects: Array.isArray(json.subjects) ? json.subjects.map(String) : null,
    };
  } catch (e) {
    return { error: e.message };
  }
}

function choiceWords(choice) {
  const key = `choice_${choice}`;
  return key in WORDS.vi ? both(key) : [choice];
}

function showResult(result) {
  const out = document.getElementById('result');
  out.replaceChildren();
  if (result.error) {
    out.dataset.verdict = 'unreadable';
    out.append(node('p', { class: 'verdict bad' }, ...both('verify_unreadable')), node('p', {}, result.error));
    return;
  }
  out.dataset.verdict = result.holds ? 'matches' : 'differs';
  const item = (ok, key) =>
    node('li', { class: ok ? 'ok' : 'bad' }, node('span', { 'aria-hidden': 'true' }, ok ? '✓ ' : '✗ '), ...both(key));
  out.append(
    node('p', { class: `verdict ${result.holds ? 'ok' : 'bad'}` }, ...both(result.holds ? 'verify_matches' : 'verify_differs')),
    node('p', { class: 'code' }, ...both('tracking_code'), ': ', node('strong', {}, B.shortCode(result.trackingCode))),
    node(
      'ul',
      { class: 'checks' },
      item(result.proofs, 'verify_proofs'),
      item(result.code, 'verify_code'),
      item(result.opens, 'verify_opens'),
    ),
    result.failure ? node('p', { class: 'failure' }, result.failure) : '',
    node('h2', {}, ...both('verify_holds')),
    node(
      'ol',
      { class: 'rows' },
      result.rows.map((choice, i) =>
        node(
          'li',
          { 'data-choice': choice },
          result.subjects?.[i] ? node('span', { class: 'name' }, result.subjects[i]) : '',
          node('span', { class: 'mark' }, ...choiceWords(choice)),
        ),
      ),
    ),
  );
}

function start() {
  const input = document.getElementById('opened');
  const file = document.getElementById('file');
  document.getElementById('check').addEventListener('click', () => showResult(checkOpened(input.value)));
  file.addEventListener('change', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    input.value = await chosen.text();
    showResult(checkOpened(input.value));
  });
  for (const [id, key] of [
    ['title', 'verify_title'],
    ['intro', 'verify_intro'],
    ['offline', 'verify_offline'],
    ['file-label', 'verify_file'],
    ['opened-label', 'verify_paste'],
    ['check', 'verify_button'],
  ]) {
    document.getElementById(id).replaceChildren(...both(key));
  }
}

start();
