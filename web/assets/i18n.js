// Words on the pages, in Vietnamese (the default) and English: one file per language, vi.json
// and en.json, which the printed minutes read too (src/words.rs, where tests check the keys), so
// that screen and paper use the same word for the same thing. The choice is kept on the device.

const KEY = 'tinnhiem.lang';
const LANGS = ['vi', 'en'];

async function load(l) {
  const res = await fetch(`/assets/${l}.json`);
  if (!res.ok) throw new Error(`/assets/${l}.json: HTTP ${res.status}`);
  return res.json();
}

// Both languages, so that switching needs no request; the pages wait for them (top-level await).
const WORDS = Object.fromEntries(
  await Promise.all(LANGS.map(async (l) => [l, await load(l)])),
);

function stored() {
  try {
    return localStorage.getItem(KEY);
  } catch {
    return null;
  }
}

let lang = stored() === 'en' ? 'en' : 'vi';
const listeners = [];

export function getLang() {
  return lang;
}

/** Switches the language, keeps it on the device, and tells every listener. */
export function setLang(next) {
  lang = next === 'en' ? 'en' : 'vi';
  try {
    localStorage.setItem(KEY, lang);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  document.documentElement.lang = lang;
  for (const f of listeners) f(lang);
}

export function onLangChange(f) {
  listeners.push(f);
}

/** The text for `key`, with `{name}` placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = WORDS[lang][key] ?? WORDS.vi[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
}

/** A choice's name on a ballot row (`high`, `no_confidence`…), or `blank` for a row left
 * unmarked. */
export function choiceLabel(choice) {
  return t(`choice_${choice}`);
}

export function outcomeLabel(outcome) {
  return t(`outcome_${outcome}`);
}

/** "47.61" as published, written the local way: "47,61 %" in Vietnamese. */
export function percent(s) {
  return `${lang === 'vi' ? String(s).replace('.', ',') : s} %`;
}

/** An RFC 3339 time in the device's time zone, to the minute. */
export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

document.documentElement.lang = lang;
