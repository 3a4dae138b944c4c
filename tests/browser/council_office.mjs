// The council's office through the pages, in Debian's chromium driven by Playwright, from an
// empty installation to published results: the admin creates the council on /admin, imports
// its members from CSV (first a file with a bad line, whose number the page shows, then the
// corrected one), adds a member by hand, creates a vote with the subject list typed in the form,
// replaces the list from CSV and edits the draft (moves a person up, removes one); the chair
// opens it on /admin; the hall screen (/display) shows the turnout while delegates cast (API),
// then the results with comma decimals after the close, a page at a time on a small screen; the
// follow-up confidence vote is created on /admin from the closed vote, and the results are
// made public; the public page (/results) shows them, and not a closed vote left unpublished.
// Last, a committee vote (the page's default) is created on /admin, its key made by the two
// auditors with `tinnhiem committee ceremony`, cast with `tinnhiem cast`, and after the close
// the hall screen waits for `tinnhiem committee decrypt` before showing its results. axe-core
// (WCAG 2.1 A and AA) finds no violation on each screen of the three pages.
// Screenshots go to $TINNHIEM_SCREENS (default docs/screens/).
//
//   node council_office.mjs [path/to/tinnhiem]      (default: ../../target/debug/tinnhiem)
//
// Starts the real binary on a free loopback port with a fresh SQLite database and prints
// `browser: N passed, M failed` last. Exits non-zero on any failure.

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  SCREENS,
  CHROMIUM,
  ADMIN,
  PASSWORD,
  check,
  equal,
  step,
  startServer,
  call,
  login,
  tool,
  base,
  failed,
  server,
  shot,
  signIn,
  accessible,
  axeChecked,
  pageErrors,
  openPage,
  checkTargets,
  fieldError,
  csvFile,
  startBrowser,
  runSteps,
} from './harness.mjs';


const TABLET = { width: 800, height: 1280 };
const DESKTOP = { width: 1280, height: 800 };
const PROJECTOR = { width: 1920, height: 1080 };
const COUNCIL = 'HĐND tỉnh Thử Nghiệm';
const TITLE = 'Lấy phiếu tín nhiệm giữa nhiệm kỳ 2021–2026';
const COMMITTEE_TITLE = 'Bỏ phiếu tín nhiệm thử, phiếu mã hóa';

const MEMBERS = [
  ['chutoa', 'Nguyễn Thị Minh Khai', 'chair;delegate'],
  ['daibieu1', 'Trần Văn Bình', 'delegate'],
  ['daibieu2', 'Lê Thị Hồng Nhung', 'delegate'],
  ['daibieu3', 'Phạm Quốc Dũng', 'delegate'],
  ['daibieu4', 'Hoàng Thị Thu Hà', 'delegate'],
  ['kiemphieu', 'Đinh Thị Lan Anh', 'auditor'],
];

const SUBJECTS_CSV = [
  'full_name,positions',
  'Nguyễn Văn An,Chủ tịch HĐND tỉnh',
  'Lê Văn Cường,Trưởng Ban Kinh tế - Ngân sách HĐND tỉnh',
  'Bùi Thị Lan,Ủy viên UBND tỉnh; Giám đốc Sở Tài chính',
  'Ngô Văn Phúc,Viện trưởng Viện kiểm sát nhân dân tỉnh',
  'Đặng Văn Hùng,Phó Chủ tịch UBND tỉnh',
  '"Trần Văn Bình, con",Phó Chủ tịch HĐND tỉnh',
];
// After the edits: Đặng Văn Hùng moved up one row, the last person removed.
const FINAL = ['Nguyễn Văn An', 'Lê Văn Cường', 'Bùi Thị Lan', 'Đặng Văn Hùng', 'Ngô Văn Phúc'];
// Each delegate's marks in that order. With 5 ballots, row 4 has 3 "low" (more than half:
// may_resign) and row 5 has 4 (two thirds or more: dismissal_required).
const MARKS = {
  chutoa: ['high', 'high', 'medium', 'low', 'low'],
  daibieu1: ['high', 'medium', 'high', 'low', 'low'],
  daibieu2: ['high', 'high', null, 'low', 'low'],
  daibieu3: ['high', 'high', 'high', 'medium', 'low'],
  daibieu4: ['medium', 'high', 'high', 'high', 'medium'],
};

// ---- the browser -------------------------------------------------------------------------

/** The binary's own tool (`committee ceremony`, `cast`…), each of `lines` one line of its
 * standard input: its output, once it exits 0. */
async function runTool(args, lines) {
  const r = await tool(args, lines.map((l) => `${l}\n`).join(''));
  if (r.code !== 0) throw new Error(`tinnhiem ${args.slice(0, 2).join(' ')} exited ${r.code}: ${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

let browser = null;

const screen = (viewport, label) => openPage(browser, viewport, label);

/** "47.61" as the hall screen and the public page print it. */
function printed(s) {
  return `${s.replace('.', ',')}%`;
}

// ---- the run -------------------------------------------------------------------------------

async function run() {
  mkdirSync(SCREENS, { recursive: true });
  let councilId;
  let vote;
  const tokens = {};

  await step('the real binary starts on an empty installation', startServer);

  await step(`chromium starts headless (${CHROMIUM})`, async () => {
    browser = await startBrowser();
  });

  const office = await screen(DESKTOP, 'admin');
  const { page } = office;

  await step('admin: /admin in Vietnamese first, English on demand; no council yet', async () => {
    await page.goto(`${base}/admin`);
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.getByRole('heading', { name: 'Văn phòng Hội đồng' }).waitFor();
    await page.getByText('Chưa có hội đồng nào.').waitFor();
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: "The council's office" }).waitFor();
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await page.getByRole('heading', { name: 'Văn phòng Hội đồng' }).waitFor();
  });

  await step('admin: creates the council; a refusal is shown under the field it names', async () => {
    await page.getByLabel('Tên hội đồng').fill(COUNCIL);
    await page.getByLabel('Tổng số đại biểu').fill('0');
    await page.getByRole('button', { name: 'Tạo hội đồng' }).click();
    const error = await fieldError(page, 'council-seats');
    check(error.startsWith('seats must be between 1'), `the seats error: ${error}`);
    equal(await page.evaluate(() => document.activeElement.id), 'council-seats', 'focus on the field refused');
    await shot(page, 'office-council.png');
    await accessible(page, '/admin councils, with a refusal');
    await page.getByLabel('Tổng số đại biểu').fill('5');
    await page.getByRole('button', { name: 'Tạo hội đồng' }).click();
    await page.getByRole('heading', { name: 'Thành viên', level: 2 }).waitFor();
    const admin = await login(ADMIN.username, ADMIN.password);
    const councils = await call('GET', '/councils', admin);
    equal(councils.body.map((c) => [c.name, c.seats]), [[COUNCIL, 5]], 'the council (API)');
    councilId = councils.body[0].id;
    tokens.admin = admin;
  });

  await step('admin: imports members from CSV; a bad line is shown by its number, then corrected', async () => {
    const header = 'username,full_name,roles,password';
    const lines = MEMBERS.map(([u, n, r]) => `${u},${n},${r},${PASSWORD}`);
    const bad = [header, lines[0], 'daibieu1,,delegate,' + PASSWORD, ...lines.slice(2)];
    await page.setInputFiles('#member-csv', csvFile('thanh-vien.csv', bad));
    await page.getByRole('button', { name: 'Nhập thành viên từ tệp CSV' }).click();
    const item = page.locator('.line-errors li[data-line="3"]');
    await item.waitFor();
    check((await item.textContent()).startsWith('Dòng 3:'), `the line's error: ${await item.textContent()}`);
    equal(await page.locator('.line-errors li').count(), 1, 'one bad line');
    const live = await item.evaluate((n) => n.closest('[aria-live]')?.getAttribute('aria-live'));
    equal(live, 'assertive', 'the import error is read out');
    equal((await call('GET', `/councils/${councilId}/members`, tokens.admin)).body.length, 0, 'nothing imported (API)');
    await page.locator('#member-csv').scrollIntoViewIfNeeded();
    await shot(page, 'office-import-error.png');
    await accessible(page, '/admin members, an import refused');
    await page.setInputFiles('#member-csv', csvFile('thanh-vien.csv', [header, ...lines]));
    await page.getByRole('button', { name: 'Nhập thành viên từ tệp CSV' }).click();
    await page.locator('#member-import-done').filter({ hasText: 'Đã nhập 6 thành viên.' }).waitFor();
    equal(await page.locator('.member-list > li').count(), 6, 'members listed');
  });

  await step('admin: adds a member by hand, changes roles, deactivates and activates, resets a password', async () => {
    await page.getByLabel('Tên đăng nhập').fill('thuky');
    await page.getByLabel('Họ và tên').fill('Vũ Thị Thư');
    await page.locator('#member-password').fill('ngan');
    await page.getByRole('button', { name: 'Thêm thành viên' }).click();
    const error = await fieldError(page, 'member-password');
    check(error.startsWith('password must have at least 8'), `the password error: ${error}`);
    await page.locator('#member-password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Thêm thành viên' }).click();
    const card = page.locator('.member[data-username="thuky"]');
    await card.waitFor();
    await card.getByLabel('Ban kiểm phiếu').check();
    await card.getByLabel('Đại biểu').uncheck();
    await card.getByRole('button', { name: 'Lưu vai trò' }).click();
    await page.locator('#status').filter({ hasText: 'Đã lưu vai trò của Vũ Thị Thư.' }).waitFor();
    await card.getByRole('button', { name: 'Khóa tài khoản' }).click();
    await card.getByText('Đã khóa', { exact: true }).waitFor();
    await card.getByRole('button', { name: 'Mở lại tài khoản' }).click();
    await card.getByText('Đang hoạt động', { exact: true }).waitFor();
    await card.getByLabel('Mật khẩu mới cho Vũ Thị Thư').fill(`${PASSWORD}-2`);
    await card.getByRole('button', { name: 'Đặt lại mật khẩu' }).click();
    await card.getByText('Đã đặt mật khẩu mới cho Vũ Thị Thư').waitFor();
    const members = (await call('GET', `/councils/${councilId}/members`, tokens.admin)).body;
    const thuky = members.find((m) => m.username === 'thuky');
    equal([thuky.roles, thuky.active], [['auditor'], true], 'roles and state (API)');
    await login('thuky', `${PASSWORD}-2`);
    await checkTargets(page, '/admin members');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'office-members.png', { fullPage: true });
    await accessible(page, '/admin members');
    for (const [u] of MEMBERS) tokens[u] = await login(u);
  });

  await step('admin: creates a vote; committee secrecy is the default; refusals sit by their fields', async () => {
    await page.getByRole('button', { name: 'Cuộc bỏ phiếu', exact: true }).click();
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu', exact: true }).click();
    await page.getByRole('heading', { name: 'Tạo cuộc bỏ phiếu', level: 2 }).waitFor();
    check(await page.locator('#secrecy-committee').isChecked(), 'committee votes are the default');
    check(await page.locator('#kind-rating').isChecked(), 'a rating vote by default');
    // Both auditors are offered for the committee, and ticked.
    equal(await page.locator('.committee input[type=checkbox]:checked').count(), 2, 'auditors ticked');

    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu (chưa mở)' }).click();
    check((await fieldError(page, 'vote-title')).startsWith('title must not be empty'), 'the title error');

    // The rows of the form: three typed, the third moved up, the second removed.
    await page.locator('#new-name-0').fill('Nguyễn Văn An');
    await page.locator('#new-pos-0').fill('Chủ tịch HĐND tỉnh');
    await page.getByRole('button', { name: 'Thêm người', exact: true }).click();
    await page.locator('#new-name-1').fill('Người sẽ bị xóa');
    await page.locator('#new-pos-1').fill('Ủy viên');
    await page.getByRole('button', { name: 'Thêm người', exact: true }).click();
    equal(await page.evaluate(() => document.activeElement.id), 'new-name-2', 'focus on the new row');
    await page.locator('#new-name-2').fill('Lê Văn Cường');
    await page.getByRole('button', { name: 'Chuyển Lê Văn Cường lên trên' }).click();
    await page.getByRole('button', { name: 'Xóa Người sẽ bị xóa khỏi danh sách' }).click();
    equal(await page.locator('.subject-row').count(), 2, 'rows after removing one');
    equal(await page.locator('#new-name-1').inputValue(), 'Lê Văn Cường', 'the row moved up');

    await page.getByLabel('Tên cuộc bỏ phiếu').fill(TITLE);
    await page.getByLabel('Số thành viên cần để giải mã').fill('3');
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu (chưa mở)' }).click();
    check((await fieldError(page, 'committee-threshold')).startsWith('committee.threshold must be between 1 and the 2'), 'the threshold error');
    await shot(page, 'office-vote-form.png', { fullPage: true });
    await accessible(page, '/admin new vote, with a refusal');

    await page.locator('#secrecy-server').check();
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu (chưa mở)' }).click();
    check((await fieldError(page, 'new-pos-1')).startsWith('subjects[1] (Lê Văn Cường) must list between 1 and'), 'the row error');
    await page.locator('#new-pos-1').fill('Trưởng Ban Kinh tế - Ngân sách HĐND tỉnh');
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu (chưa mở)' }).click();
    await page.getByRole('heading', { name: TITLE, level: 2 }).waitFor();
    const votes = (await call('GET', `/councils/${councilId}/votes`, tokens.admin)).body;
    equal(votes.length, 1, 'one vote (API)');
    vote = votes[0];
    equal(
      [vote.state, vote.kind, vote.secrecy, vote.percent_base, vote.subjects.map((s) => s.full_name)],
      ['draft', 'rating', 'server', 'ballots', ['Nguyễn Văn An', 'Lê Văn Cường']],
      'the vote (API)',
    );
  });

  await step('admin: replaces the draft list from CSV (a bad line first), moves one up by keyboard, removes one, saves', async () => {
    const bad = [...SUBJECTS_CSV];
    bad[3] = 'Bùi Thị Lan,';
    await page.setInputFiles('#subject-csv', csvFile('danh-sach.csv', bad));
    await page.getByRole('button', { name: 'Thay danh sách bằng tệp CSV' }).click();
    const item = page.locator('.line-errors li[data-line="4"]');
    await item.waitFor();
    check((await item.textContent()).includes('Dòng 4:'), 'line 4 named');
    await page.setInputFiles('#subject-csv', csvFile('danh-sach.csv', SUBJECTS_CSV));
    await page.getByRole('button', { name: 'Thay danh sách bằng tệp CSV' }).click();
    await page.locator('.done-note').filter({ hasText: 'Đã lưu danh sách: 6 người.' }).waitFor();
    equal(await page.locator('.subject-row').count(), 6, 'rows after the import');

    const up = page.getByRole('button', { name: 'Chuyển Đặng Văn Hùng lên trên' });
    await up.focus();
    await page.keyboard.press('Enter');
    equal(await page.locator('#edit-name-3').inputValue(), 'Đặng Văn Hùng', 'moved up by keyboard');
    equal(await page.evaluate(() => document.activeElement.dataset.focusKey), 'edit-up-3', 'focus follows the row moved');
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('button', { name: 'Move Đặng Văn Hùng up' }).waitFor();
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    equal(await page.locator('#edit-name-3').inputValue(), 'Đặng Văn Hùng', 'an unsaved edit survives a language switch');
    await page.getByRole('button', { name: 'Xóa Trần Văn Bình, con khỏi danh sách' }).click();
    await page.getByRole('button', { name: 'Lưu danh sách' }).click();
    await page.locator('.done-note').filter({ hasText: 'Đã lưu danh sách: 5 người.' }).waitFor();
    const saved = (await call('GET', `/votes/${vote.id}`, tokens.admin)).body;
    equal(saved.subjects.map((s) => s.full_name), FINAL, 'the list in its new order (API)');
    equal(saved.subjects[2].positions, ['Ủy viên UBND tỉnh', 'Giám đốc Sở Tài chính'], 'positions kept apart');
    vote = saved;
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'office-draft.png', { fullPage: true });
    await accessible(page, '/admin draft');
    check(!(await page.getByRole('button', { name: 'Mở bỏ phiếu' }).count()), 'the admin cannot open a vote');
  });

  await step('admin page on a tablet held upright: targets, text size, no sideways scrolling', async () => {
    const { page: tablet, context } = await screen(TABLET, 'admin-tablet');
    await tablet.goto(`${base}/admin`);
    await signIn(tablet, ADMIN.username, ADMIN.password);
    await tablet.locator(`[data-vote-id="${vote.id}"]`).waitFor();
    await checkTargets(tablet, '/admin votes (tablet)');
    await tablet.getByRole('button', { name: 'Sửa danh sách người được lấy phiếu' }).click();
    await tablet.locator('.subject-row').first().waitFor();
    await checkTargets(tablet, '/admin draft (tablet)');
    await shot(tablet, 'office-draft-tablet.png');
    await context.close();
  });

  const chair = await screen(DESKTOP, 'chair');
  await step('chair: opens the vote from /admin after confirming', async () => {
    await chair.page.goto(`${base}/admin`);
    await signIn(chair.page, 'chutoa');
    const card = chair.page.locator(`[data-vote-id="${vote.id}"]`);
    await card.getByRole('button', { name: 'Mở bỏ phiếu' }).click();
    const dialog = chair.page.getByRole('dialog', { name: 'Mở bỏ phiếu?' });
    await dialog.getByRole('button', { name: 'Mở bỏ phiếu' }).click();
    await chair.page.locator(`[data-vote-id="${vote.id}"][data-state="open"]`).waitFor();
    const r = await call('GET', `/votes/${vote.id}`, tokens.chutoa);
    equal([r.body.state, r.body.eligible], ['open', 5], 'open, five delegates (API)');
  });

  const hall = await screen(PROJECTOR, 'display');
  await step('hall screen: the turnout in large type, following the casts', async () => {
    await hall.page.goto(`${base}/display`);
    await signIn(hall.page, 'chutoa');
    const numbers = hall.page.locator('.hall-turnout');
    await numbers.filter({ hasText: '0 / 5' }).waitFor();
    const size = await numbers.evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
    check(size >= 120, `turnout in large type (${size}px)`);
    for (const u of ['daibieu1', 'daibieu2', 'daibieu3']) {
      const marks = Object.fromEntries(vote.subjects.map((s, i) => [s.id, MARKS[u][i]]).filter(([, m]) => m));
      equal((await call('POST', `/votes/${vote.id}/ballot`, tokens[u], { marks })).status, 201, `${u} casts`);
    }
    await numbers.filter({ hasText: '3 / 5' }).waitFor({ timeout: 10_000 });
    await shot(hall.page, 'hall-turnout.png');
    await accessible(hall.page, '/display turnout');
    for (const u of ['daibieu4', 'chutoa']) {
      const marks = Object.fromEntries(vote.subjects.map((s, i) => [s.id, MARKS[u][i]]).filter(([, m]) => m));
      equal((await call('POST', `/votes/${vote.id}/ballot`, tokens[u], { marks })).status, 201, `${u} casts`);
    }
    await numbers.filter({ hasText: '5 / 5' }).waitFor({ timeout: 10_000 });
  });

  let tally;
  await step('hall screen: after the close, the results in ballot order with comma decimals', async () => {
    equal((await call('POST', `/votes/${vote.id}/close`, tokens.chutoa)).status, 200, 'the chair closes (API)');
    tally = (await call('GET', `/votes/${vote.id}/tally`, tokens.chutoa)).body;
    const table = hall.page.locator('table.hall-results');
    await table.waitFor({ timeout: 10_000 });
    const names = await table.locator('tbody tr .name').allTextContents();
    equal(names, FINAL, 'results in ballot order');
    const highs = await table.locator('tbody tr td[data-key="high"] .pct').allTextContents();
    equal(highs, tally.results.map((r) => printed(r.percents.high)), 'percentages as councils print them');
    check(highs[0] === '80,00%', `"80,00%" for the first row, got ${highs[0]}`);
    const outcomes = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.outcome));
    equal(outcomes, ['none', 'none', 'none', 'may_resign', 'dismissal_required'], 'outcomes');
    const size = await table.locator('.pct').first().evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
    check(size >= 40, `percentages in large type (${size}px)`);
    await shot(hall.page, 'hall-results.png');
    await accessible(hall.page, '/display results');
  });

  await step('hall screen: results that do not fit are paged automatically', async () => {
    const { page: small, context } = await screen({ width: 1024, height: 600 }, 'display-small');
    await small.goto(`${base}/display?every=2`);
    await signIn(small, 'chutoa');
    const section = small.locator('.hall[data-mode="results"]');
    await section.waitFor();
    await small.waitForFunction(() => Number(document.querySelector('.hall')?.dataset.pages) > 1);
    const pages = Number(await section.getAttribute('data-pages'));
    const visible = async () => small.locator('table.hall-results tbody tr:not([hidden]) .name').allTextContents();
    const first = await visible();
    check(first.length > 0 && first.length < FINAL.length, `a page shows some rows (${first.length})`);
    await small.waitForFunction(() => document.querySelector('.hall')?.dataset.page === '2', null, { timeout: 6000 });
    const second = await visible();
    check(second.length > 0 && second[0] !== first[0], 'the next page shows the next rows');
    await small.getByText(`Trang 2/${pages}`).waitFor();
    await shot(small, 'hall-results-paged.png');
    await context.close();
  });

  await step('admin: creates the follow-up confidence vote from the closed vote', async () => {
    await page.goto(`${base}/admin`);
    const card = page.locator(`[data-vote-id="${vote.id}"]`);
    await card.getByRole('button', { name: 'Tạo cuộc bỏ phiếu tín nhiệm tiếp theo' }).click();
    await page.getByRole('heading', { name: `Bỏ phiếu tín nhiệm giữa nhiệm kỳ 2021–2026`, level: 2 }).waitFor();
    const names = await page.locator('.subject-row input[id^="edit-name-"]').evaluateAll((n) => n.map((i) => i.value));
    equal(names, ['Đặng Văn Hùng', 'Ngô Văn Phúc'], 'the people with a consequence, in ballot order');
    await page.getByText(`Bỏ phiếu tín nhiệm tiếp theo của: ${TITLE}`).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'office-follow-up.png');
    const rating = (await call('GET', `/votes/${vote.id}`, tokens.admin)).body;
    const follow = (await call('GET', `/votes/${rating.follow_up}`, tokens.admin)).body;
    equal([follow.kind, follow.state, follow.follow_up_of], ['confidence', 'draft', vote.id], 'the follow-up (API)');
  });

  let hidden;
  await step('a second vote is closed and left unpublished (API)', async () => {
    const created = await call('POST', `/councils/${councilId}/votes`, tokens.chutoa, {
      title: 'Lấy phiếu thử, không công khai',
      kind: 'rating',
      subjects: [{ full_name: 'Người thử', positions: ['Ủy viên'] }],
    });
    equal(created.status, 201, 'created');
    hidden = created.body;
    equal((await call('POST', `/votes/${hidden.id}/open`, tokens.chutoa)).status, 200, 'opened');
    equal((await call('POST', `/votes/${hidden.id}/ballot`, tokens.daibieu1, { marks: {} })).status, 201, 'cast');
    equal((await call('POST', `/votes/${hidden.id}/close`, tokens.chutoa)).status, 200, 'closed');
  });

  await step('admin: publishes the rating vote after confirming', async () => {
    await page.getByRole('button', { name: 'Về danh sách cuộc bỏ phiếu' }).first().click();
    await page.reload();
    const card = page.locator(`[data-vote-id="${vote.id}"]`);
    await card.getByRole('button', { name: 'Công khai kết quả' }).click();
    const dialog = page.getByRole('dialog', { name: 'Công khai kết quả?' });
    await dialog.getByRole('button', { name: 'Công khai kết quả' }).click();
    await page.locator(`[data-vote-id="${vote.id}"][data-public="true"]`).waitFor();
    await page.locator(`[data-vote-id="${vote.id}"]`).getByText('Đã công khai lúc').waitFor();
    const r = (await call('GET', `/votes/${vote.id}`, tokens.admin)).body;
    equal(r.public, true, 'public (API)');
    await shot(page, 'office-votes.png', { fullPage: true });
    await accessible(page, '/admin votes');
  });

  await step('public page: no sign-in; only the published results, printable', async () => {
    const { page: pub, context } = await screen(DESKTOP, 'public');
    await pub.goto(`${base}/results?council=${councilId}`);
    await pub.getByRole('heading', { name: 'Kết quả lấy phiếu, bỏ phiếu tín nhiệm' }).waitFor();
    await pub.locator('.public-tally').first().waitFor();
    equal(await pub.locator('.public-tally').count(), 1, 'one published tally');
    equal(await pub.locator('.public-tally h2').allTextContents(), [TITLE], 'the published one only');
    check(!(await pub.getByText(hidden.title).count()), 'the unpublished vote is not shown');
    await pub.getByText(COUNCIL).first().waitFor();
    const highs = await pub.locator('table.public-results tbody td[data-key="high"] .pct').allTextContents();
    equal(highs, tally.results.map((r) => printed(r.percents.high)), 'percentages as councils print them');
    check(!(await pub.getByRole('button', { name: 'Đăng xuất' }).count()), 'nobody signed in');
    await checkTargets(pub, '/results');
    await shot(pub, 'public-results.png', { fullPage: true });
    await accessible(pub, '/results');
    await pub.emulateMedia({ media: 'print' });
    check(await pub.locator('#topbar').isHidden(), 'no top bar on paper');
    check(await pub.getByRole('button', { name: 'In kết quả' }).isHidden(), 'no print button on paper');
    await shot(pub, 'public-results-print.png', { fullPage: true });
    await context.close();
    const anonymous = await call('GET', `/public/councils/${councilId}/results`);
    equal(anonymous.body.map((x) => x.vote_id), [vote.id], 'the API agrees');
  });

  await step("committee vote (the page's default): the key ceremony, encrypted casts, the hall waits for the decryption", async () => {
    // Created on /admin with the committee ticked by default (both auditors, a majority of 2).
    await page.goto(`${base}/admin`);
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu', exact: true }).click();
    await page.getByLabel('Tên cuộc bỏ phiếu').fill(COMMITTEE_TITLE);
    await page.locator('#kind-confidence').check();
    await page.locator('#new-name-0').fill('Người thử mã hóa');
    await page.locator('#new-pos-0').fill('Ủy viên UBND tỉnh');
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu (chưa mở)' }).click();
    await page.getByRole('heading', { name: COMMITTEE_TITLE, level: 2 }).waitFor();
    await page.getByText('khóa đang được tạo').waitFor();
    const secret = (await call('GET', `/councils/${councilId}/votes`, tokens.admin)).body.find((v) => v.title === COMMITTEE_TITLE);
    equal([secret.secrecy, secret.committee.threshold, secret.committee.members.length], ['committee', 2, 2], 'the committee vote (API)');

    const shares = mkdtempSync(path.join(os.tmpdir(), 'tinnhiem-shares-'));
    try {
      const members = [['kiemphieu', PASSWORD], ['thuky', `${PASSWORD}-2`]];
      await Promise.all(
        members.map(([u, pw]) =>
          runTool(['committee', 'ceremony', '--server', base, '--username', u, '--committee', secret.committee.id, '--share-file', path.join(shares, `${u}.share`)], [pw, `cum-tu-bi-mat-${u}`]),
        ),
      );
      await page.reload();
      await page.locator(`[data-vote-id="${secret.id}"]`).getByText('khóa đã sẵn sàng').waitFor();
      equal((await call('POST', `/votes/${secret.id}/open`, tokens.chutoa)).status, 200, 'opened (API)');
      for (const [u, choice] of [['daibieu1', 'confidence'], ['daibieu2', 'no_confidence']]) {
        await runTool(['cast', '--server', base, '--username', u, '--vote', secret.id, '--mark', `1=${choice}`], [PASSWORD]);
      }
      await hall.page.locator(`.hall[data-mode="turnout"][data-vote-id="${secret.id}"] .hall-turnout`).filter({ hasText: '2 / 5' }).waitFor({ timeout: 10_000 });
      equal((await call('POST', `/votes/${secret.id}/close`, tokens.chutoa)).status, 200, 'closed (API)');
      await hall.page.locator(`.hall[data-mode="counting"][data-vote-id="${secret.id}"]`).waitFor({ timeout: 10_000 });
      await hall.page.getByText('Đang chờ Ban kiểm phiếu giải mã kết quả.').waitFor();
      await shot(hall.page, 'hall-counting.png');
      await Promise.all(
        members.map(([u, pw]) =>
          runTool(['committee', 'decrypt', '--server', base, '--username', u, '--vote', secret.id, '--share-file', path.join(shares, `${u}.share`)], [pw, `cum-tu-bi-mat-${u}`]),
        ),
      );
      const table = hall.page.locator(`.hall[data-mode="results"][data-vote-id="${secret.id}"] table.hall-results`);
      await table.waitFor({ timeout: 10_000 });
      equal(await table.locator('td[data-key="confidence"] .pct').allTextContents(), ['50,00%'], 'the decrypted result, as printed');
    } finally {
      rmSync(shares, { recursive: true, force: true });
    }
    const anonymous = await call('GET', `/public/councils/${councilId}/results`);
    equal(anonymous.body.map((x) => x.vote_id), [vote.id], 'still only the published vote in public');
  });

  await step('no script error and no refused resource on any page', async () => {
    equal(pageErrors, [], 'errors in the pages');
    console.log(`# axe-core found no violation on: ${axeChecked.join('; ')}`);
  });
}

await runSteps(run, () => browser);
