// The auditor's page: the council's closed votes, each one's tally, and downloads of its record
// (signed JSON, CSV, the printed minutes in HTML) fetched with the token and saved from memory.
// For a committee vote, who checked every ballot's proofs, and a lookup of a tracking code in
// the signed record.

import { t } from './i18n.js';
import { el, api, ApiError, me, announce, focusHeading, saveFile, voteFileName } from './common.js';
import { pageShell } from './shell.js';
import { renderTally } from './tally.js';

const { state, main, show, render, start } = pageShell({
  name: 'audit',
  state: {
    councils: [],
    councilId: null,
    council: null,
    votes: [],
    selected: null,
    tally: null,
    tallyError: null,
    download: null,
    downloadIsError: false,
    /** A committee vote's signed record, for its proofs' checkers and its tracking codes. */
    record: null,
    lookup: null,
  },
  views: { list: listView },
  mayUse: (who) => (who.roles || []).some((r) => ['auditor', 'chair', 'admin'].includes(r)),
  refusal: { view: 'not-auditor', title: 'not_auditor' },
  load,
  expiredMessage: 'session_expired_plain',
});

function councilPicker() {
  if (state.councils.length === 0) return null;
  const select = el(
    'select',
    {
      id: 'council',
      dataset: { focusKey: 'council' },
      onchange: () => loadCouncil(select.value),
    },
    state.councils.map((c) =>
      el('option', { value: c.id, selected: c.id === state.councilId }, c.name),
    ),
  );
  return el('div', { class: 'field' }, el('label', { for: 'council' }, t('council')), select);
}

function closedVotes() {
  return state.votes
    .filter((v) => v.state === 'closed')
    .sort((a, b) => String(b.closed_at).localeCompare(String(a.closed_at)));
}

function listView() {
  const closed = closedVotes();
  const others = state.votes.filter((v) => v.state !== 'closed');
  return el(
    'section',
    { class: 'audit-page' },
    el('h1', {}, t('audit_title')),
    state.council ? el('p', { class: 'intro' }, state.council.name) : null,
    councilPicker(),
    el('h2', {}, t('closed_votes')),
    closed.length === 0
      ? el('p', { class: 'card' }, t('no_closed_votes'))
      : el(
          'ul',
          { class: 'closed-list' },
          closed.map((v) =>
            el(
              'li',
              {},
              el(
                'button',
                {
                  type: 'button',
                  class: `vote-pick${state.selected === v.id ? ' selected' : ''}`,
                  'aria-pressed': state.selected === v.id ? 'true' : 'false',
                  dataset: { focusKey: `pick-${v.id}`, voteId: v.id },
                  onclick: () => select(v.id),
                },
                el('span', { class: 'pick-title' }, v.title),
                el(
                  'span',
                  { class: 'pick-meta' },
                  `${t(`kind_${v.kind}`)} · ${t('turnout_of', { cast: v.ballots_cast, eligible: v.eligible ?? 0 })}`,
                ),
              ),
            ),
          ),
        ),
    selectedView(),
    others.length
      ? el(
          'section',
          { class: 'others' },
          el('h2', {}, t('other_votes')),
          el(
            'ul',
            {},
            others.map((v) =>
              el(
                'li',
                {},
                `${v.title} — ${t(`state_${v.state}`)}`,
                v.state === 'open'
                  ? ` · ${t('turnout_of', { cast: v.ballots_cast, eligible: v.eligible ?? 0 })}`
                  : '',
              ),
            ),
          ),
        )
      : null,
  );
}

// What each download is: its id, words, path under the vote, file name stem and extension.
const DOWNLOADS = [
  ['record_json', 'dl_record_json', '/record?format=json', 'record', 'json'],
  ['record_csv', 'dl_record_csv', '/record?format=csv', 'record', 'csv'],
  ['minutes_vi', 'dl_minutes_vi', '/record?format=html', 'bien-ban', 'html'],
  ['minutes_en', 'dl_minutes_en', '/record?format=html&lang=en', 'minutes', 'html'],
  ['resolution_vi', 'dl_resolution_vi', '/resolution', 'nghi-quyet', 'html'],
  ['resolution_en', 'dl_resolution_en', '/resolution?lang=en', 'resolution', 'html'],
  ['tally_json', 'dl_tally_json', '/tally', 'tally', 'json'],
];

function selectedView() {
  if (!state.selected) return null;
  const vote = state.votes.find((v) => v.id === state.selected);
  if (!vote) return null;
  return el(
    'section',
    { class: 'card selected-vote', dataset: { voteId: vote.id } },
    el('h2', {}, vote.title),
    state.tallyError ? el('p', { class: 'error', role: 'alert' }, state.tallyError) : null,
    state.tally ? renderTally(state.tally) : el('p', { class: 'loading' }, t('loading')),
    vote.secrecy === 'committee' && state.tally ? committeeView() : null,
    el('h3', {}, t('downloads')),
    el('p', {}, t('downloads_intro')),
    el(
      'div',
      { class: 'downloads' },
      DOWNLOADS.map(([id, label, path, stem, ext]) =>
        el(
          'button',
          {
            type: 'button',
            class: 'secondary',
            dataset: { download: id, focusKey: `dl-${id}` },
            onclick: () => download(vote, id, path, stem, ext),
          },
          t(label),
        ),
      ),
    ),
    state.download
      ? el(
          'p',
          { class: state.downloadIsError ? 'error' : 'notice', role: state.downloadIsError ? 'alert' : null },
          state.download,
        )
      : null,
  );
}

/** Who checked a committee vote's ballots, and a tracking code looked up in its record. */
function committeeView() {
  const count = state.record?.record?.encryption;
  if (!count) return el('p', { class: 'loading' }, t('loading'));
  const names = count.decryptions.map(
    (d) => count.committee.members.find((m) => m.position === d.position)?.full_name || `#${d.position}`,
  );
  const input = el('input', {
    id: 'tracking-code',
    type: 'text',
    autocomplete: 'off',
    spellcheck: 'false',
    'aria-describedby': 'tracking-result',
    dataset: { focusKey: 'tracking-code' },
  });
  const lookup = (event) => {
    event.preventDefault();
    const wanted = input.value.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
    if (wanted.length < 8) {
      state.lookup = { ok: false, text: t('tracking_too_short') };
    } else {
      const found = count.ballots.filter((b) => b.tracking_code.startsWith(wanted));
      state.lookup =
        found.length === 1
          ? { ok: true, text: t('tracking_found', { code: found[0].tracking_code }) }
          : { ok: false, text: t(found.length ? 'tracking_ambiguous' : 'tracking_not_found') };
    }
    render(false);
    main.querySelector('#tracking-code')?.focus();
  };
  return el(
    'section',
    { class: 'committee-audit' },
    el('h3', {}, t('audit_committee_title')),
    el('p', {}, t('audit_committee_server', { n: count.ballots.length })),
    el('p', {}, t('audit_committee_members', { names: names.join(', ') })),
    el('p', { class: 'hint' }, t('audit_committee_verify')),
    el(
      'form',
      { class: 'tracking-lookup', onsubmit: lookup },
      el('label', { for: 'tracking-code' }, t('tracking_lookup_label')),
      input,
      el('button', { type: 'submit', class: 'secondary' }, t('tracking_lookup_button')),
    ),
    el(
      'p',
      { id: 'tracking-result', 'aria-live': 'polite', class: state.lookup?.ok === false ? 'error' : 'notice' },
      state.lookup?.text || '',
    ),
  );
}

async function download(vote, id, path, stem, ext) {
  state.download = t('downloading');
  state.downloadIsError = false;
  render(false);
  try {
    let blob;
    if (id === 'tally_json') {
      const tally = await api(`/votes/${vote.id}/tally`);
      blob = new Blob([`${JSON.stringify(tally, null, 2)}\n`], { type: 'application/json' });
    } else {
      const res = await api(`/votes/${vote.id}${path}`, { raw: true });
      blob = await res.blob();
    }
    const name = voteFileName(vote, stem, ext);
    saveFile(name, blob);
    state.download = t('downloaded', { file: name });
    announce(state.download);
  } catch (e) {
    state.download = e instanceof ApiError ? e.detail : t('network_error');
    state.downloadIsError = true;
  }
  render(false);
}

async function select(voteId) {
  state.selected = voteId;
  state.tally = null;
  state.tallyError = null;
  state.download = null;
  state.record = null;
  state.lookup = null;
  render(false);
  try {
    state.tally = await api(`/votes/${voteId}/tally`);
    const vote = state.votes.find((v) => v.id === voteId);
    if (vote?.secrecy === 'committee') {
      if (state.selected === voteId) render(false);
      const res = await api(`/votes/${voteId}/record?format=json`, { raw: true });
      state.record = await res.json();
    }
  } catch (e) {
    state.tallyError = e instanceof ApiError ? e.detail : t('network_error');
  }
  if (state.selected === voteId) render(false);
}

async function loadCouncil(councilId) {
  state.councilId = councilId;
  state.selected = null;
  state.tally = null;
  const [council, votes] = await Promise.all([
    api(`/councils/${councilId}`),
    api(`/councils/${councilId}/votes`),
  ]);
  state.council = council;
  state.votes = votes;
  show('list', { focus: false });
  const latest = closedVotes()[0];
  if (latest) await select(latest.id);
}

async function load() {
  const who = me();
  if ((who.roles || []).includes('admin')) {
    state.councils = await api('/councils');
    if (state.councils.length === 0) {
      state.council = null;
      state.votes = [];
      show('list');
      return;
    }
    await loadCouncil(state.councilId || state.councils[0].id);
  } else {
    await loadCouncil(who.council_id);
  }
  focusHeading(main.querySelector('h1'));
}

start();
