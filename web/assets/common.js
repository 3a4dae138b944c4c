// The pieces the three pages share: building elements, calling /api/v1, the session, the top
// bar, the sign-in form and the status line read by screen readers. shell.js puts them together.

import { t, getLang, setLang } from './i18n.js';

const BASE = '/api/v1';
const TOKEN = 'tinnhiem.token';
const ME = 'tinnhiem.me';

/** An element: `el('p', {class: 'x', onclick: f}, 'text', child)`. Text is never parsed as HTML. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      node.addEventListener(k.slice(2), v);
    } else if (k === 'class') {
      node.className = v;
    } else if (k === 'dataset') {
      Object.assign(node.dataset, v);
    } else if (v === true) {
      node.setAttribute(k, '');
    } else {
      node.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** An answer other than 2xx: the problem+json body's status, slug and detail. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.slug = (problem?.type || '').replace('urn:tinnhiem:problem:', '');
    this.detail = problem?.detail || problem?.title || `HTTP ${status}`;
    this.retryAfter = retryAfter;
    // Each problem found, when there are several (every bad line of an import, with its line).
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
  }
}

/** The request never got an answer: no network, server unreachable, connection cut. */
export class NetworkError extends Error {}

export function token() {
  return sessionStorage.getItem(TOKEN);
}

export function me() {
  try {
    return JSON.parse(sessionStorage.getItem(ME) || 'null');
  } catch {
    return null;
  }
}

/** Forgets the token only (it expired): what else this tab kept stays. */
export function dropToken() {
  sessionStorage.removeItem(TOKEN);
}

/** Forgets the token and everything this tab kept (marks included). */
export function clearSession() {
  sessionStorage.clear();
}

let onUnauthenticated = () => {};

/** Called when the server says the token is no longer good. */
export function setUnauthenticatedHandler(f) {
  onUnauthenticated = f;
}

/**
 * Calls the API. Resolves to the parsed JSON (or the raw Response with `raw: true`); rejects
 * with ApiError on an error answer and NetworkError when no answer came. The body is sent as
 * JSON, or as it is with `type` (`text/csv` for an import).
 */
export async function api(path, { method = 'GET', body, raw = false, auth = true, type } = {}) {
  const headers = { Accept: raw ? '*/*' : 'application/json' };
  const sent = auth ? token() : null;
  if (sent) headers.Authorization = `Bearer ${sent}`;
  if (body !== undefined) headers['Content-Type'] = type || 'application/json';
  let res;
  try {
    res = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined || type ? body : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new NetworkError(e?.message || 'network');
  }
  if (!res.ok) {
    let problem = null;
    try {
      problem = await res.json();
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    const err = new ApiError(res.status, problem, Number(res.headers.get('Retry-After')) || 0);
    // A token that was sent and refused has expired; a request that went out after signing
    // out (a poll already on its way) is not news.
    if (res.status === 401 && sent && token() === sent) onUnauthenticated(err);
    throw err;
  }
  if (raw) return res;
  if (res.status === 204) return null;
  try {
    return await res.json();
  } catch (e) {
    throw new NetworkError(e?.message || 'body');
  }
}

/** Signs in and keeps the token and the member for this tab. */
export async function signIn(username, password) {
  const answer = await api('/auth/login', {
    method: 'POST',
    body: { username, password },
    auth: false,
  });
  sessionStorage.setItem(TOKEN, answer.access_token);
  const who = await api('/me');
  sessionStorage.setItem(ME, JSON.stringify(who));
  return who;
}

/** The status line that screen readers announce (polite), and its visible copy. */
export function announce(message) {
  const live = document.getElementById('status');
  if (!live) return;
  live.textContent = '';
  // A fresh text node makes the same message be read again.
  window.setTimeout(() => {
    live.textContent = message;
  }, 50);
}

/** The banner for network trouble; `null` hides it. */
export function banner(message, action) {
  const node = document.getElementById('net-banner');
  if (!node) return;
  node.replaceChildren();
  if (!message) {
    node.hidden = true;
    return;
  }
  node.append(el('p', { class: 'banner-text' }, message));
  if (action) node.append(action);
  node.hidden = false;
}

/** Links to the pages this member may use, other than `current`. */
function navLinks(who, current) {
  const roles = who?.roles || [];
  const links = [];
  if (roles.includes('delegate') && current !== 'ballot') {
    links.push(el('a', { href: '/' }, t('nav_ballot')));
  }
  if (roles.includes('chair') && current !== 'chair') {
    links.push(el('a', { href: '/chair' }, t('nav_chair')));
  }
  if (
    (roles.includes('auditor') || roles.includes('chair') || roles.includes('admin')) &&
    current !== 'audit'
  ) {
    links.push(el('a', { href: '/audit' }, t('nav_audit')));
  }
  if ((roles.includes('chair') || roles.includes('admin')) && current !== 'admin') {
    links.push(el('a', { href: '/admin' }, t('nav_admin')));
  }
  if (roles.includes('auditor') && current !== 'committee') {
    links.push(el('a', { href: '/committee' }, t('nav_committee')));
  }
  if ((roles.includes('supervisor') || roles.includes('admin')) && current !== 'oversight') {
    links.push(el('a', { href: '/oversight' }, t('nav_oversight')));
  }
  return links;
}

export { navLinks };

/**
 * Fills the top bar: the name of the app, who is signed in, other pages, the language switch and
 * sign-out. `onSignOut` runs after the session is cleared.
 */
export function renderTopBar(current, onSignOut) {
  const bar = document.getElementById('topbar');
  const who = token() ? me() : null;
  const items = [el('span', { class: 'app-name' }, t('app_name'))];
  const right = el('div', { class: 'topbar-actions' });
  if (who) {
    right.append(el('span', { class: 'who' }, t('signed_in_as', { name: who.full_name })));
    const nav = navLinks(who, current);
    if (nav.length) right.append(el('nav', { 'aria-label': t('app_name') }, nav));
  }
  right.append(
    el(
      'button',
      {
        type: 'button',
        class: 'lang',
        lang: getLang() === 'vi' ? 'en' : 'vi',
        'aria-label': t('switch_to_label'),
        onclick: () => {
          setLang(getLang() === 'vi' ? 'en' : 'vi');
          document.querySelector('#topbar .lang')?.focus();
        },
      },
      t('switch_to'),
    ),
  );
  if (who) {
    right.append(
      el(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            clearSession();
            onSignOut();
          },
        },
        t('sign_out'),
      ),
    );
  }
  items.push(right);
  bar.replaceChildren(...items);
  document.title = `${t('app_name')}`;
}

/** Moves focus to `node` (a heading of a new step), so keyboards and screen readers follow. */
export function focusHeading(node) {
  if (!node) return;
  node.setAttribute('tabindex', '-1');
  node.focus({ preventScroll: false });
}

/**
 * The sign-in form. Calls `done(me)` once signed in. `message` is shown above the form (a
 * session that expired, say).
 */
export function signInForm(done, message) {
  const error = el('p', { class: 'error', role: 'alert', hidden: true });
  const user = el('input', {
    id: 'username',
    name: 'username',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
  });
  const pass = el('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const submit = el('button', { type: 'submit', class: 'primary wide' }, t('signin_button'));
  const heading = el('h1', {}, t('signin_title'));
  const form = el(
    'form',
    {
      class: 'card signin',
      method: 'post',
      novalidate: true,
      onsubmit: async (event) => {
        event.preventDefault();
        error.hidden = true;
        if (!user.value.trim() || !pass.value) {
          error.textContent = `${t('username')} / ${t('password')}?`;
          error.hidden = false;
          (user.value.trim() ? pass : user).focus();
          return;
        }
        submit.disabled = true;
        submit.textContent = t('signing_in');
        try {
          const who = await signIn(user.value.trim(), pass.value);
          done(who);
        } catch (e) {
          error.textContent =
            e instanceof ApiError ? `${t('signin_failed')} ${e.detail}` : t('network_error');
          error.hidden = false;
          submit.disabled = false;
          submit.textContent = t('signin_button');
          pass.select();
          pass.focus();
        }
      },
    },
    heading,
    message ? el('p', { class: 'notice' }, message) : null,
    el('p', {}, t('signin_intro')),
    el('label', { for: 'username' }, t('username')),
    user,
    el('label', { for: 'password' }, t('password')),
    pass,
    error,
    submit,
  );
  window.setTimeout(() => user.focus(), 0);
  return form;
}

/** A message in a card, with optional extra children (links, buttons). */
export function messageCard(title, text, ...extra) {
  const heading = el('h1', {}, title);
  return el('section', { class: 'card message' }, heading, text ? el('p', {}, text) : null, extra);
}

/** An error from the API shown as its plain-words detail, with a "try again" button. */
export function errorCard(err, retry) {
  const text = err instanceof ApiError ? err.detail : t('network_error');
  return el(
    'section',
    { class: 'card message error-card', role: 'alert' },
    el('h1', {}, t('error')),
    el('p', {}, text),
    retry ? el('button', { type: 'button', class: 'primary', onclick: retry }, t('try_again')) : null,
  );
}

/** Sleeps `ms` milliseconds, or until `wake()` is called. */
export function sleeper() {
  let timer = null;
  let resolveNow = null;
  return {
    sleep(ms) {
      return new Promise((resolve) => {
        resolveNow = resolve;
        timer = window.setTimeout(resolve, ms);
      });
    },
    wake() {
      if (timer) window.clearTimeout(timer);
      if (resolveNow) resolveNow();
      timer = null;
      resolveNow = null;
    },
  };
}

/**
 * Saves `data` (a Blob, or text of type `type`) as a file named `name`, from memory: what is
 * fetched with the token is never put in a URL another tab could open.
 */
export function saveFile(name, data, type = 'application/json') {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // Long enough for a slow disk to take the file.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** A file name without accents or spaces: "lay-phieu-tin-nhiem-2026". */
function slug(text) {
  return (
    String(text)
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[đĐ]/g, 'd')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'vote'
  );
}

/** The name of a file about a vote: `bien-ban-lay-phieu-2026-12-01-1a2b3c4d.html`. */
export function voteFileName(vote, stem, ext) {
  const day = String(vote.closed_at || '').slice(0, 10);
  return `${stem}-${slug(vote.title)}-${day}-${vote.id.slice(0, 8)}.${ext}`;
}

/**
 * The confirmation dialog before a step that cannot be undone: `title`, then `lines` (one
 * text or several), and the confirming button (red when `danger`); Cancel has the focus.
 * Resolves true when confirmed.
 */
export function confirmDialog(title, lines, confirmLabel, danger = false) {
  return new Promise((resolve) => {
    const cancel = el('button', { type: 'button', class: 'secondary', value: 'cancel' }, t('cancel'));
    const ok = el(
      'button',
      { type: 'button', class: danger ? 'danger' : 'primary', id: 'confirm-button' },
      confirmLabel,
    );
    const dialog = el(
      'dialog',
      { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      el('h2', { id: 'confirm-title' }, title),
      [lines].flat().filter(Boolean).map((l) => el('p', {}, l)),
      el('div', { class: 'actions' }, cancel, ok),
    );
    let answer = false;
    cancel.addEventListener('click', () => dialog.close());
    ok.addEventListener('click', () => {
      answer = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
