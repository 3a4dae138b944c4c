// The shell the ballot, the chair's console and the audit page share: the page's state and the
// view it shows, drawing it under the top bar, start-up (sign-in, then who may use the page),
// the session expiring, and drawing again when the language changes. A page gives only what is
// its own: its views, what it loads, and what it stops or forgets at sign-out.

import { t, onLangChange } from './i18n.js';
import {
  el,
  ApiError,
  token,
  me,
  clearSession,
  dropToken,
  setUnauthenticatedHandler,
  renderTopBar,
  signInForm,
  messageCard,
  errorCard,
  focusHeading,
  navLinks,
} from './common.js';

/**
 * Sets a page up; the page calls `start()` once its module has run. `page`:
 * - `name`: 'ballot', 'chair', 'audit', 'admin', 'display' or 'results' (the top bar links to
 *   the others);
 * - `state`: the page's own fields; the shell adds `view`, `error` and `signinMessage`;
 * - `views`: the page's own views by name, each a function returning the node to show;
 * - `mayUse(who)` and `refusal: { view, title, text }`: who may use the page, and the card
 *   (title and text are keys of words) shown to a member who may not, with links to the pages
 *   they may use;
 * - `load()`: fetches what the page shows and shows it, once signed in and allowed;
 * - `public`: true for a page anyone may read without signing in (`load()` runs at once, and
 *   `mayUse` is not asked);
 * - `expiredMessage`: the key of the words above the sign-in form when the session expired;
 * - optional steps at their moment: `stop()` (background work: at each start, sign-out and
 *   expiry), `signedIn()`, `signedOut()` (after the session is cleared), `expired()`,
 *   `languageChanged()` (after drawing again).
 * Returns `{ state, main, show, render, start, fail, signOut }`.
 */
export function pageShell(page) {
  const main = document.getElementById('main');
  const state = { view: 'loading', error: null, signinMessage: null, ...page.state };
  const hook = (name) => page[name]?.();

  const views = {
    signin: () =>
      signInForm(() => {
        state.signinMessage = null;
        hook('signedIn');
        start();
      }, state.signinMessage),
    loading: () => el('p', { class: 'loading' }, t('loading')),
    [page.refusal.view]: () =>
      messageCard(
        t(page.refusal.title),
        page.refusal.text ? t(page.refusal.text) : null,
        el('nav', { class: 'links' }, navLinks(me(), page.name)),
      ),
    error: () => errorCard(state.error, start),
    ...page.views,
  };

  /** Shows `view`; focus goes to its heading unless `focus` is false. */
  function show(view, { focus = true } = {}) {
    state.view = view;
    render(focus);
  }

  /** Draws the current view again. Without `focus`, the control that had it keeps it (by its
   * `data-focus-key`), so a redraw on a poll or a language change does not move a keyboard. */
  function render(focus = false) {
    renderTopBar(page.name, afterSignOut);
    const active = document.activeElement?.dataset?.focusKey;
    main.replaceChildren(views[state.view]());
    main.dataset.view = state.view;
    if (focus) focusHeading(main.querySelector('h1'));
    else if (active) main.querySelector(`[data-focus-key="${active}"]`)?.focus();
  }

  function fail(err) {
    state.error = err;
    show('error');
  }

  function afterSignOut() {
    hook('stop');
    hook('signedOut');
    show('signin');
  }

  /** Signs out from a button of the page itself (the top bar has its own). */
  function signOut() {
    clearSession();
    afterSignOut();
  }

  async function start() {
    hook('stop');
    const who = token() ? me() : null;
    if (page.public) {
      show('loading', { focus: false });
      try {
        await page.load();
      } catch (e) {
        fail(e);
      }
      return;
    }
    if (!who) {
      show('signin');
      return;
    }
    if (!page.mayUse(who)) {
      show(page.refusal.view);
      return;
    }
    show('loading', { focus: false });
    try {
      await page.load();
    } catch (e) {
      // The sign-in form has taken over.
      if (e instanceof ApiError && e.status === 401) return;
      fail(e);
    }
  }

  setUnauthenticatedHandler(() => {
    dropToken();
    hook('stop');
    hook('expired');
    state.signinMessage = t(page.expiredMessage);
    show('signin');
  });

  onLangChange(() => {
    render(false);
    hook('languageChanged');
  });

  return { state, main, show, render, start, fail, signOut };
}
