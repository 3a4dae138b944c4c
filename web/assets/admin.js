// The secretariat's page (Văn phòng HĐND), for the admin and the council's chairs: councils,
// their members (one by one or from CSV), and votes from the draft to the public results: the
// subject list (typed, reordered, imported from CSV), the kind, percent base, secrecy and
// committee, opening (chairs), the follow-up confidence vote and publication. Every refusal of
// the API is shown in its own words next to the field it names, and read out.

import { t, time, getLang } from './i18n.js';
import { el, api, ApiError, me, announce, focusHeading, saveFile, voteFileName, confirmDialog } from './common.js';
import { pageShell } from './shell.js';
import { formErrors, field, busy, csvImportForm } from './forms.js';
import { peopleEditor, peopleOf, rowsOf, SUBJECTS, EXEMPT } from './people-rows.js';

const ROLES = ['delegate', 'chair', 'auditor', 'supervisor'];
const ROLE_WORDS = {
  delegate: 'role_delegate',
  chair: 'role_chair',
  auditor: 'role_auditor',
  supervisor: 'role_supervisor',
};
const COMMITTEE_WORDS = {
  forming: 'committee_forming',
  ready: 'committee_ready',
  failed: 'committee_failed',
};
const SECRECY_WORDS = { server: 'secrecy_server', committee: 'secrecy_committee' };
const TABS = [
  ['councils', 'tab_councils'],
  ['members', 'tab_members'],
  ['votes', 'tab_votes'],
];

const { state, main, show, render, start } = pageShell({
  name: 'admin',
  state: {
    councils: [],
    councilId: null,
    council: null,
    members: [],
    votes: [],
    tab: 'votes',
    editing: null,
    voteForm: null,
    draftRows: {},
  },
  views: { office: officeView },
  mayUse: (who) => (who.roles || []).some((r) => r === 'admin' || r === 'chair'),
  refusal: { view: 'not-office', title: 'not_office' },
  load,
  expiredMessage: 'session_expired_plain',
});

const isAdmin = () => (me()?.roles || []).includes('admin');
const isChair = () => (me()?.roles || []).includes('chair');

// ---- the page --------------------------------------------------------------------------------

function officeView() {
  const tabs = TABS.filter(([tab]) => tab !== 'councils' || isAdmin());
  const current = state.tab === 'new-vote' || state.tab === 'vote' ? 'votes' : state.tab;
  return el(
    'section',
    { class: 'office-page' },
    el('h1', {}, t('office_title')),
    el('p', { class: 'intro' }, t('office_intro')),
    councilPicker(),
    state.council
      ? el(
          'nav',
          { class: 'links council-links', 'aria-label': t('council_links') },
          el('a', { href: `/display?council=${state.council.id}` }, t('nav_display')),
          el('a', { href: `/results?council=${state.council.id}` }, t('nav_results')),
        )
      : null,
    el(
      'nav',
      { class: 'tabs', 'aria-label': t('office_sections') },
      tabs.map(([tab, word]) =>
        el(
          'button',
          {
            type: 'button',
            class: `tab${current === tab ? ' selected' : ''}`,
            'aria-current': current === tab ? 'page' : null,
            dataset: { focusKey: `tab-${tab}`, tab },
            onclick: () => goTo(tab),
          },
          t(word),
        ),
      ),
    ),
    sectionView(),
  );
}

function goTo(tab, editing = null) {
  if (editing !== state.editing) state.draftRows = {};
  state.tab = tab;
  state.editing = editing;
  render(false);
  focusHeading(main.querySelector('.office-section h2'));
}

function sectionView() {
  if (state.tab === 'councils') return councilsSection();
  if (!state.council) {
    return el('section', { class: 'office-section card' }, el('h2', {}, t('no_council')), el('p', {}, t(isAdmin() ? 'no_council_admin' : 'no_council_chair')));
  }
  if (state.tab === 'members') return membersSection();
  if (state.tab === 'new-vote') return voteForm();
  if (state.tab === 'vote') return draftEditor();
  return votesSection();
}

function councilPicker() {
  if (!isAdmin() || state.councils.length === 0) return null;
  const select = el(
    'select',
    {
      id: 'office-council',
      dataset: { focusKey: 'council' },
      onchange: () => chooseCouncil(select.value),
    },
    state.councils.map((c) => el('option', { value: c.id, selected: c.id === state.councilId }, c.name)),
  );
  return el('div', { class: 'field' }, el('label', { for: 'office-council' }, t('council')), select);
}

// ---- councils (admin) ------------------------------------------------------------------------

function councilsSection() {
  const errors = formErrors('council');
  const [nameField, name] = field(errors, 'name', 'council-name', t('council_name'), {
    autocomplete: 'off',
    required: true,
  });
  const [seatsField, seats] = field(errors, 'seats', 'council-seats', t('council_seats'), {
    type: 'number',
    inputmode: 'numeric',
    min: '1',
    required: true,
  });
  // The council above this one (a province above its districts), whose supervisors follow it.
  const parent = el(
    'select',
    { id: 'council-parent', name: 'parent_id' },
    el('option', { value: '' }, t('no_parent')),
    state.councils.map((c) => el('option', { value: c.id }, c.name)),
  );
  const parentSlot = errors.slot('parent_id', parent);
  const parentField = el(
    'div',
    { class: 'field' },
    el('label', { for: 'council-parent' }, t('oversight_parent')),
    el('p', { class: 'hint', id: 'council-parent-hint' }, t('council_parent_hint')),
    parent,
    parentSlot,
  );
  parent.setAttribute('aria-describedby', `council-parent-hint ${parentSlot.id}`);
  const submit = el('button', { type: 'submit', class: 'primary' }, t('create_council'));
  const form = el(
    'form',
    {
      class: 'card office-form',
      novalidate: true,
      'aria-labelledby': 'council-form-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const council = await busy(submit, errors, () =>
          api('/councils', {
            method: 'POST',
            body: { name: name.value, seats: Number(seats.value), parent_id: parent.value || null },
          }),
        );
        if (!council) return;
        state.councils.push(council);
        announce(t('council_created', { name: council.name }));
        await chooseCouncil(council.id, 'members');
      },
    },
    el('h3', { id: 'council-form-title' }, t('create_council')),
    errors.top,
    nameField,
    seatsField,
    parentField,
    submit,
  );
  return el(
    'section',
    { class: 'office-section' },
    el('h2', {}, t('tab_councils')),
    state.councils.length === 0
      ? el('p', { class: 'card' }, t('no_councils'))
      : el(
          'ul',
          { class: 'council-list' },
          state.councils.map((c) =>
            el(
              'li',
              { class: 'card', dataset: { councilId: c.id } },
              el('strong', {}, c.name),
              ' ',
              el('span', { class: 'meta' }, t('seats_n', { n: c.seats })),
              ' ',
              c.parent_id ? el('span', { class: 'meta' }, t('council_below', { name: nameOf(c.parent_id) })) : null,
              ' ',
              c.id === state.councilId
                ? el('span', { class: 'badge' }, t('council_chosen'))
                : el(
                    'button',
                    {
                      type: 'button',
                      class: 'secondary',
                      dataset: { focusKey: `choose-${c.id}` },
                      onclick: () => chooseCouncil(c.id, 'members'),
                    },
                    t('choose_council', { name: c.name }),
                  ),
            ),
          ),
        ),
    form,
  );
}

function nameOf(councilId) {
  return state.councils.find((c) => c.id === councilId)?.name || councilId;
}

async function chooseCouncil(id, tab = state.tab) {
  state.councilId = id;
  await loadCouncil();
  state.tab = tab;
  state.editing = null;
  render(false);
  focusHeading(main.querySelector('.office-section h2'));
}

// ---- members ---------------------------------------------------------------------------------

function roleBoxes(prefix, chosen, errors, key) {
  const boxes = ROLES.map((r) =>
    el('input', { type: 'checkbox', id: `${prefix}-${r}`, value: r, checked: chosen.includes(r) }),
  );
  const legendId = `${prefix}-legend`;
  const slot = errors.slot(key, boxes[0]);
  const set = el(
    'fieldset',
    { class: 'roles', 'aria-describedby': slot.id },
    el('legend', { id: legendId }, t('roles')),
    ROLES.map((r, i) =>
      el('label', { class: 'check', for: `${prefix}-${r}` }, boxes[i], ' ', t(ROLE_WORDS[r])),
    ),
    slot,
  );
  return [set, () => boxes.filter((b) => b.checked).map((b) => b.value)];
}

function membersSection() {
  const members = [...state.members].sort((a, b) => a.full_name.localeCompare(b.full_name, 'vi'));
  return el(
    'section',
    { class: 'office-section' },
    el('h2', {}, t('tab_members')),
    el('p', { class: 'intro' }, t('members_count', { n: state.members.length, seats: state.council.seats })),
    isAdmin() ? memberImportForm() : null,
    isAdmin() ? memberForm() : null,
    el('h3', {}, t('member_list')),
    members.length === 0
      ? el('p', { class: 'card' }, t('no_members'))
      : el('ul', { class: 'member-list' }, members.map(memberCard)),
  );
}

function memberForm() {
  const errors = formErrors('member');
  const [userField, username] = field(errors, 'username', 'member-username', t('username'), {
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const [nameField, fullName] = field(errors, 'full_name', 'member-full-name', t('full_name'), {
    autocomplete: 'off',
  });
  const [passField, password] = field(
    errors,
    'password',
    'member-password',
    t('password'),
    { type: 'text', autocomplete: 'off', spellcheck: 'false' },
    t('password_hint'),
  );
  const [roles, chosen] = roleBoxes('member-role', ['delegate'], errors, 'roles');
  const submit = el('button', { type: 'submit', class: 'primary' }, t('add_member'));
  return el(
    'form',
    {
      class: 'card office-form',
      novalidate: true,
      'aria-labelledby': 'member-form-title',
      onsubmit: async (event) => {
        event.preventDefault();
        const member = await busy(submit, errors, () =>
          api(`/councils/${state.councilId}/members`, {
            method: 'POST',
            body: {
              username: username.value,
              full_name: fullName.value,
              password: password.value,
              roles: chosen(),
            },
          }),
        );
        if (!member) return;
        state.members.push(member);
        announce(t('member_added', { name: member.full_name }));
        render(false);
        main.querySelector('#member-username')?.focus();
      },
    },
    el('h3', { id: 'member-form-title' }, t('add_member')),
    errors.top,
    userField,
    nameField,
    passField,
    roles,
    submit,
  );
}

function memberImportForm() {
  return csvImportForm({
    name: 'member',
    title: t('import_members'),
    hint: t('import_members_hint'),
    example: 'username,full_name,roles,password\nnva,Nguyễn Văn An,delegate;chair,mat-khau-8',
    button: ['primary', t('import_members')],
    doneNote: 'member-import-done',
    send: (text) => api(`/councils/${state.councilId}/members/import`, { method: 'POST', body: text, type: 'text/csv' }),
    async done(answer) {
      state.members = await api(`/councils/${state.councilId}/members`);
      announce(t('members_imported', { n: answer.created }));
      render(false);
      const done = main.querySelector('#member-import-done');
      if (done) done.textContent = t('members_imported', { n: answer.created });
    },
  });
}

function memberCard(m) {
  const errors = formErrors(`m-${m.id}`);
  const roleList = m.roles.map((r) => t(ROLE_WORDS[r] || r)).join(', ');
  const head = el(
    'div',
    { class: 'member-head' },
    el('strong', { class: 'name' }, m.full_name),
    ' ',
    el('span', { class: 'meta' }, `${m.username} · ${roleList}`),
    ' ',
    el('span', { class: `badge ${m.active ? 'state-open' : 'state-closed'}` }, t(m.active ? 'member_active' : 'member_inactive')),
  );
  if (!isAdmin()) return el('li', { class: 'card member', dataset: { memberId: m.id, username: m.username } }, head);

  const [roles, chosen] = roleBoxes(`roles-${m.id}`, m.roles, errors, 'roles');
  const saveRoles = el('button', { type: 'button', class: 'secondary', dataset: { focusKey: `roles-${m.id}` } }, t('save_roles'));
  saveRoles.addEventListener('click', async () => {
    const updated = await busy(saveRoles, errors, () =>
      api(`/councils/${state.councilId}/members/${m.id}/roles`, { method: 'PUT', body: { roles: chosen() } }),
    );
    if (!updated) return;
    replaceMember(updated);
    announce(t('roles_saved', { name: m.full_name }));
  });

  const toggle = el(
    'button',
    { type: 'button', class: m.active ? 'danger' : 'secondary', dataset: { focusKey: `active-${m.id}` } },
    t(m.active ? 'deactivate' : 'activate'),
  );
  toggle.addEventListener('click', async () => {
    const step = m.active ? 'deactivate' : 'activate';
    const updated = await busy(toggle, errors, () =>
      api(`/councils/${state.councilId}/members/${m.id}/${step}`, { method: 'POST' }),
    );
    if (updated === null) return;
    state.members = await api(`/councils/${state.councilId}/members`);
    announce(t(m.active ? 'member_deactivated' : 'member_activated', { name: m.full_name }));
    render(false);
    main.querySelector(`[data-focus-key="active-${m.id}"]`)?.focus();
  });

  const passId = `password-${m.id}`;
  const pass = el('input', { id: passId, type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const passSlot = errors.slot('password', pass);
  const setPass = el('button', { type: 'button', class: 'secondary' }, t('set_password'));
  setPass.addEventListener('click', async () => {
    const done = await busy(setPass, errors, () =>
      api(`/councils/${state.councilId}/members/${m.id}/password`, { method: 'PUT', body: { password: pass.value } }),
    );
    if (done === null) return;
    pass.value = '';
    passSlot.textContent = t('password_set', { name: m.full_name });
    announce(t('password_set', { name: m.full_name }));
  });

  return el(
    'li',
    { class: 'card member', dataset: { memberId: m.id, username: m.username } },
    head,
    errors.top,
    el('div', { class: 'member-tools' }, roles, saveRoles),
    el(
      'div',
      { class: 'member-tools' },
      el('div', { class: 'field' }, el('label', { for: passId }, t('new_password_for', { name: m.full_name })), pass, passSlot),
      setPass,
    ),
    el('div', { class: 'member-tools' }, toggle),
  );
}

function replaceMember(member) {
  const i = state.members.findIndex((x) => x.id === member.id);
  if (i >= 0) state.members[i] = { ...state.members[i], ...member };
}

// ---- votes -----------------------------------------------------------------------------------

function auditors() {
  return state.members.filter((m) => m.active && m.roles.includes('auditor'));
}

function radios(name, legend, options, chosen, onchange, errors) {
  const inputs = options.map(([value]) =>
    el('input', { type: 'radio', name, id: `${name}-${value}`, value, checked: value === chosen, onchange: () => onchange(value) }),
  );
  const slot = errors.slot(name, inputs.find((i) => i.checked) || inputs[0]);
  return el(
    'fieldset',
    { class: 'radios' },
    el('legend', {}, legend),
    options.map(([value, word, hint], i) =>
      el(
        'label',
        { class: 'check', for: `${name}-${value}` },
        inputs[i],
        ' ',
        el('span', {}, t(word), hint ? el('span', { class: 'hint' }, ` — ${t(hint)}`) : null),
      ),
    ),
    slot,
  );
}

function newVoteForm() {
  const ready = auditors();
  return {
    title: '',
    kind: 'rating',
    percent_base: 'ballots',
    secrecy: 'committee',
    members: ready.map((m) => m.id),
    threshold: '',
    rows: [{ full_name: '', positions: '' }],
    exempt: [],
  };
}

function voteForm() {
  state.voteForm ||= newVoteForm();
  const f = state.voteForm;
  const errors = formErrors('vote');
  const [titleField, title] = field(errors, 'title', 'vote-title', t('vote_title'), { autocomplete: 'off', value: f.title });
  title.addEventListener('input', () => {
    f.title = title.value;
  });

  const committeeBox = el('div', { class: 'committee-box' });
  const drawCommittee = () => {
    errors.forget('committee');
    committeeBox.replaceChildren();
    if (f.secrecy !== 'committee') return;
    const people = auditors();
    const boxes = people.map((m) =>
      el('input', {
        type: 'checkbox',
        id: `committee-${m.id}`,
        value: m.id,
        checked: f.members.includes(m.id),
        onchange: (e) => {
          f.members = e.target.checked ? [...f.members, m.id] : f.members.filter((x) => x !== m.id);
        },
      }),
    );
    const membersSlot = errors.slot('committee.members', boxes[0] || null, ['committee']);
    const threshold = el('input', {
      id: 'committee-threshold',
      type: 'number',
      inputmode: 'numeric',
      min: '1',
      value: f.threshold,
      'aria-describedby': 'committee-threshold-hint',
      oninput: (e) => {
        f.threshold = e.target.value;
      },
    });
    const thresholdSlot = errors.slot('committee.threshold', threshold);
    committeeBox.append(
      el(
        'fieldset',
        { class: 'committee', 'aria-describedby': membersSlot.id },
        el('legend', {}, t('committee_members')),
        people.length === 0 ? el('p', { class: 'hint' }, t('committee_none')) : null,
        people.map((m, i) => el('label', { class: 'check', for: `committee-${m.id}` }, boxes[i], ' ', m.full_name)),
        membersSlot,
      ),
      el(
        'div',
        { class: 'field' },
        el('label', { for: 'committee-threshold' }, t('committee_threshold')),
        el('p', { class: 'hint', id: 'committee-threshold-hint' }, t('committee_threshold_hint')),
        threshold,
        thresholdSlot,
      ),
    );
  };

  const kind = radios('kind', t('vote_kind'), [['rating', 'kind_rating', 'kind_rating_hint'], ['confidence', 'kind_confidence', 'kind_confidence_hint']], f.kind, (v) => {
    f.kind = v;
  }, errors);
  const base = radios('percent_base', t('percent_base'), [['ballots', 'base_ballots_word', 'base_ballots_hint'], ['seats', 'base_seats_word', 'base_seats_hint']], f.percent_base, (v) => {
    f.percent_base = v;
  }, errors);
  const secrecy = radios('secrecy', t('secrecy'), [['committee', 'secrecy_committee', 'secrecy_committee_hint'], ['server', 'secrecy_server', 'secrecy_server_hint']], f.secrecy, (v) => {
    f.secrecy = v;
    drawCommittee();
  }, errors);
  drawCommittee();
  const editor = peopleEditor(f.rows, errors, 'new');
  const exemptEditor = peopleEditor(f.exempt, errors, 'new-exempt', EXEMPT);

  const submit = el('button', { type: 'submit', class: 'primary' }, t('create_vote'));
  const cancel = el('button', { type: 'button', class: 'secondary', onclick: () => goTo('votes') }, t('back_to_votes'));
  return el(
    'section',
    { class: 'office-section' },
    el('h2', {}, t('new_vote')),
    el(
      'form',
      {
        class: 'card office-form vote-form',
        novalidate: true,
        'aria-label': t('new_vote'),
        onsubmit: async (event) => {
          event.preventDefault();
          const body = {
            title: f.title,
            kind: f.kind,
            percent_base: f.percent_base,
            secrecy: f.secrecy,
            subjects: peopleOf(f.rows),
          };
          if (f.exempt.length) body.exempt = peopleOf(f.exempt, EXEMPT);
          if (f.secrecy === 'committee') {
            body.committee = { members: f.members };
            if (String(f.threshold).trim()) body.committee.threshold = Number(f.threshold);
          }
          const vote = await busy(submit, errors, () => api(`/councils/${state.councilId}/votes`, { method: 'POST', body }));
          if (!vote) return;
          state.votes.push(vote);
          state.voteForm = null;
          announce(t('vote_created', { title: vote.title }));
          goTo('vote', vote.id);
        },
      },
      errors.top,
      titleField,
      kind,
      base,
      secrecy,
      committeeBox,
      editor,
      exemptEditor,
      el('div', { class: 'actions' }, submit, cancel),
    ),
  );
}

function voteMeta(vote) {
  const parts = [
    t(`kind_${vote.kind}`),
    t('subjects_n', { n: vote.subjects.length }),
    `${t('base')}: ${t(vote.percent_base === 'seats' ? 'base_seats_word' : 'base_ballots_word')}`,
    t(SECRECY_WORDS[vote.secrecy] || 'secrecy_server'),
  ];
  if (vote.committee) {
    parts.push(t('committee_of', { t: vote.committee.threshold, n: vote.committee.members.length }));
    parts.push(t(COMMITTEE_WORDS[vote.committee.state] || 'committee_forming'));
  }
  return parts.join(' · ');
}

function votesSection() {
  const order = { draft: 0, open: 1, closed: 2 };
  const votes = [...state.votes].sort(
    (a, b) => order[a.state] - order[b.state] || String(b.closed_at || '').localeCompare(String(a.closed_at || '')),
  );
  return el(
    'section',
    { class: 'office-section' },
    el('h2', {}, t('tab_votes')),
    el(
      'div',
      { class: 'actions' },
      el(
        'button',
        {
          type: 'button',
          class: 'primary',
          dataset: { focusKey: 'new-vote' },
          onclick: () => goTo('new-vote'),
        },
        t('new_vote'),
      ),
    ),
    votes.length === 0 ? el('p', { class: 'card' }, t('no_votes')) : el('div', { class: 'vote-list' }, votes.map(voteCard)),
  );
}

function titleOf(id) {
  return state.votes.find((v) => v.id === id)?.title || id;
}

function voteCard(vote) {
  const errors = formErrors(`v-${vote.id}`);
  const actions = el('div', { class: 'actions' });
  const act = (word, cls, onclick, key) =>
    el('button', { type: 'button', class: cls, dataset: { focusKey: `${key}-${vote.id}` }, onclick }, t(word));
  if (vote.state === 'draft') {
    actions.append(act('edit_subjects', 'secondary', () => goTo('vote', vote.id), 'edit'));
    if (isChair()) actions.append(act('open_vote', 'primary', () => openVote(vote, errors), 'open'));
  }
  if (vote.state === 'closed' && vote.kind === 'rating' && !vote.follow_up) {
    actions.append(act('create_follow_up', 'primary', () => followUp(vote, errors), 'follow-up'));
  }
  if (vote.state === 'closed' && !vote.public) {
    actions.append(act('publish', 'primary', () => publish(vote, errors), 'publish'));
  }
  if (vote.state === 'closed') {
    actions.append(act('resolution_draft', 'secondary', () => resolution(vote, errors), 'resolution'));
  }
  const notes = [];
  if (vote.state === 'draft' && !isChair()) notes.push(t('chair_opens'));
  if (vote.follow_up_of) notes.push(t('follow_up_of', { title: titleOf(vote.follow_up_of) }));
  if (vote.follow_up) notes.push(t('has_follow_up', { title: titleOf(vote.follow_up) }));
  if (vote.public) notes.push(t('public_since', { when: time(vote.public_at) }));
  return el(
    'article',
    { class: `card vote state-${vote.state}`, dataset: { voteId: vote.id, state: vote.state, public: String(vote.public) } },
    el('div', { class: 'vote-head' }, el('h3', {}, vote.title), el('span', { class: `badge state-${vote.state}` }, t(`state_${vote.state}`))),
    el('p', { class: 'meta' }, voteMeta(vote)),
    vote.state !== 'draft'
      ? el('p', { class: 'meta' }, `${t('turnout')}: ${t('turnout_of', { cast: vote.ballots_cast, eligible: vote.eligible ?? 0 })}`)
      : null,
    notes.map((n) => el('p', { class: 'note' }, n)),
    vote.public ? el('p', { class: 'links' }, el('a', { href: `/results?council=${vote.council_id}` }, t('nav_results'))) : null,
    errors.top,
    actions,
  );
}

async function openVote(vote, errors) {
  const yes = await confirmDialog(t('confirm_open_title'), t('confirm_open', { title: vote.title }), t('open_vote'));
  if (!yes) return;
  await step(vote, errors, () => api(`/votes/${vote.id}/open`, { method: 'POST' }), 'opened_now');
}

async function publish(vote, errors) {
  const yes = await confirmDialog(t('confirm_publish_title'), t('confirm_publish', { title: vote.title }), t('publish'));
  if (!yes) return;
  await step(vote, errors, () => api(`/votes/${vote.id}/publish`, { method: 'POST' }), 'published_now');
}

/** Saves the draft resolution confirming the results, in the page's language, to edit and print. */
async function resolution(vote, errors) {
  const lang = getLang();
  const page = await step(vote, errors, async () => {
    const res = await api(`/votes/${vote.id}/resolution?lang=${lang}`, { raw: true });
    return res.blob();
  }, null);
  if (!page) return;
  const name = voteFileName(vote, lang === 'vi' ? 'nghi-quyet' : 'resolution', 'html');
  saveFile(name, page);
  announce(t('downloaded', { file: name }));
}

async function followUp(vote, errors) {
  const created = await step(vote, errors, () => api(`/votes/${vote.id}/follow-up`, { method: 'POST' }), null);
  if (!created) return;
  state.votes = await api(`/councils/${state.councilId}/votes`);
  announce(t('follow_up_created', { title: created.title }));
  goTo('vote', created.id);
}

/** One step on a vote from its card; the card shows the refusal. */
async function step(vote, errors, work, said) {
  errors.clear();
  try {
    const answer = await work();
    if (said) {
      const i = state.votes.findIndex((v) => v.id === answer.id);
      if (i >= 0) state.votes[i] = answer;
      announce(t(said, { title: vote.title }));
      render(false);
      main.querySelector(`[data-vote-id="${vote.id}"] h3`)?.focus();
    }
    return answer;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) errors.show(e);
    return null;
  }
}

function draftEditor() {
  const vote = state.votes.find((v) => v.id === state.editing);
  if (!vote) return votesSection();
  const errors = formErrors('draft');
  // Kept while the page is drawn again (a language switch), until saved or left.
  state.draftRows ||= {};
  const lists = (state.draftRows[vote.id] ||= {
    subjects: rowsOf(vote.subjects),
    exempt: rowsOf(vote.exempt || [], EXEMPT),
  });
  const back = el('button', { type: 'button', class: 'secondary', onclick: () => goTo('votes') }, t('back_to_votes'));
  if (vote.state !== 'draft') {
    return el('section', { class: 'office-section' }, el('h2', {}, vote.title), el('p', { class: 'card' }, t('list_fixed')), back);
  }
  const editor = peopleEditor(lists.subjects, errors, 'edit');
  const exemptEditor = peopleEditor(lists.exempt, errors, 'edit-exempt', EXEMPT);
  const save = el('button', { type: 'submit', class: 'primary' }, t('save_subjects'));
  const saved = el('p', { class: 'done-note' });
  const form = el(
    'form',
    {
      class: 'card office-form',
      novalidate: true,
      'aria-label': t('edit_subjects'),
      onsubmit: async (event) => {
        event.preventDefault();
        saved.textContent = '';
        const updated = await busy(save, errors, () =>
          api(`/votes/${vote.id}/subjects`, {
            method: 'PUT',
            body: { subjects: peopleOf(lists.subjects), exempt: peopleOf(lists.exempt, EXEMPT) },
          }),
        );
        if (updated) listSaved(updated);
      },
    },
    errors.top,
    editor,
    exemptEditor,
    saved,
    save,
  );

  const importForm = csvImportForm({
    name: 'subject',
    title: t('import_subjects'),
    hint: t('import_subjects_hint'),
    example: 'full_name,positions\nNguyễn Văn An,Chủ tịch HĐND tỉnh\nBùi Thị Lan,Ủy viên UBND tỉnh; Giám đốc Sở Tài chính',
    button: ['secondary', t('import_subjects')],
    send: (text) => api(`/votes/${vote.id}/subjects/import`, { method: 'POST', body: text, type: 'text/csv' }),
    done: listSaved,
  });
  const cardErrors = formErrors('draft-open');
  return el(
    'section',
    { class: 'office-section', dataset: { voteId: vote.id } },
    el('h2', {}, vote.title),
    el('p', { class: 'meta' }, voteMeta(vote)),
    vote.follow_up_of ? el('p', { class: 'note' }, t('follow_up_of', { title: titleOf(vote.follow_up_of) })) : null,
    el('p', { class: 'intro' }, t('draft_intro')),
    form,
    importForm,
    cardErrors.top,
    el(
      'div',
      { class: 'actions' },
      isChair()
        ? el('button', { type: 'button', class: 'primary', onclick: () => openVote(vote, cardErrors).then(() => goTo('votes')) }, t('open_vote'))
        : el('p', { class: 'note' }, t('chair_opens')),
      back,
    ),
  );
}

/** After a draft's lists are saved, typed or imported: the page shows and says so. */
function listSaved(vote) {
  replaceVote(vote);
  render(false);
  const said = t('subjects_saved', { n: vote.subjects.length });
  const note = main.querySelector('.office-section .done-note');
  if (note) note.textContent = said;
  announce(said);
}

function replaceVote(vote) {
  if (state.draftRows) delete state.draftRows[vote.id];
  const i = state.votes.findIndex((v) => v.id === vote.id);
  if (i >= 0) state.votes[i] = vote;
  else state.votes.push(vote);
}

// ---- loading ---------------------------------------------------------------------------------

async function loadCouncil() {
  if (!state.councilId) {
    state.council = null;
    state.members = [];
    state.votes = [];
    return;
  }
  const [council, members, votes] = await Promise.all([
    api(`/councils/${state.councilId}`),
    api(`/councils/${state.councilId}/members`),
    api(`/councils/${state.councilId}/votes`),
  ]);
  state.council = council;
  state.members = members;
  state.votes = votes;
}

async function load() {
  const who = me();
  if (who.roles.includes('admin')) {
    state.councils = await api('/councils');
    const wanted = new URLSearchParams(window.location.search).get('council');
    state.councilId = state.councils.find((c) => c.id === wanted)?.id || state.councils[0]?.id || null;
    if (!state.councilId) state.tab = 'councils';
  } else {
    state.councilId = who.council_id;
  }
  await loadCouncil();
  show('office');
}

start();
