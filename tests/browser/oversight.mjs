// A province oversees a district, through the pages, in Debian's chromium driven by Playwright:
// the admin creates the province's council and the district's below it on /admin; the
// district's chair creates a vote on /admin with two people not rated (a refusal for one also
// on the ballot, shown under its field; then a reason left empty in the draft), opens it; the
// province's supervisor follows it on /oversight (the turnout read again while delegates cast),
// finds nothing to change there and is refused /admin, /chair and a write sent from the page;
// after the close, reads the published results with the people not rated; the chair downloads
// the draft resolution from /admin, which names every person, their counts and the people not
// rated with the reason. axe-core (WCAG 2.1 A and AA) finds no violation on each screen.
// Screenshots go to $TINNHIEM_SCREENS (default docs/screens/).
//
//   node oversight.mjs [path/to/tinnhiem]      (default: ../../target/debug/tinnhiem)
//
// Starts the real binary on a free loopback port with a fresh SQLite database and prints
// `browser: N passed, M failed` last. Exits non-zero on any failure.

import { mkdirSync, readFileSync } from 'node:fs';
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
  base,
  failed,
  shot,
  signIn,
  accessible,
  axeChecked,
  pageErrors,
  openPage,
  checkTargets,
  fieldError,
  startBrowser,
  runSteps,
} from './harness.mjs';

const DESKTOP = { width: 1280, height: 800 };
const TABLET = { width: 800, height: 1280 };
const PROVINCE = 'HĐND tỉnh Thử Nghiệm';
const DISTRICT = 'HĐND huyện Núi Thử';
const TITLE = 'Lấy phiếu tín nhiệm năm 2026';
const SUBJECTS = [
  ['Nguyễn Văn An', 'Chủ tịch HĐND huyện'],
  ['Lê Thị Bích', 'Chủ tịch UBND huyện'],
];
const EXEMPT = [
  ['Trần Văn Hưu', 'Phó Chủ tịch UBND huyện', 'Đã có thông báo nghỉ hưu'],
  ['Phạm Thị Mới', 'Ủy viên UBND huyện', 'Được bầu trong năm lấy phiếu'],
];
const DELEGATES = ['chutoa', 'daibieu1', 'daibieu2', 'daibieu3', 'daibieu4'];

let browser = null;

async function run() {
  mkdirSync(SCREENS, { recursive: true });
  const tokens = {};
  let province;
  let district;
  let vote;

  await step('the real binary starts on an empty installation', startServer);
  await step(`chromium starts headless (${CHROMIUM})`, async () => {
    browser = await startBrowser();
  });

  const office = await openPage(browser, DESKTOP, 'admin');
  await step('admin: creates the province, then the district below it, on /admin', async () => {
    const { page } = office;
    await page.goto(`${base}/admin`);
    await signIn(page, ADMIN.username, ADMIN.password);
    await page.getByLabel('Tên hội đồng').fill(PROVINCE);
    await page.getByLabel('Tổng số đại biểu').fill('50');
    equal(await page.getByLabel('Hội đồng cấp trên').inputValue(), '', 'no parent by default');
    await page.getByRole('button', { name: 'Tạo hội đồng' }).click();
    await page.getByRole('heading', { name: 'Thành viên', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Hội đồng', exact: true }).click();
    await page.getByLabel('Tên hội đồng').fill(DISTRICT);
    await page.getByLabel('Tổng số đại biểu').fill('5');
    await page.getByLabel('Hội đồng cấp trên').selectOption({ label: PROVINCE });
    await page.getByRole('button', { name: 'Tạo hội đồng' }).click();
    await page.getByRole('heading', { name: 'Thành viên', level: 2 }).waitFor();
    tokens.admin = await login(ADMIN.username, ADMIN.password);
    const councils = (await call('GET', '/councils', tokens.admin)).body;
    province = councils.find((c) => c.name === PROVINCE);
    district = councils.find((c) => c.name === DISTRICT);
    equal([province.parent_id, district.parent_id], [null, province.id], 'the district is below the province (API)');
    await page.getByRole('button', { name: 'Hội đồng', exact: true }).click();
    await page.locator(`[data-council-id="${district.id}"]`).getByText(`trực thuộc ${PROVINCE}`).waitFor();
    await accessible(page, '/admin councils, one below another');
  });

  await step('members of both councils (API): the district delegates and chair, the province supervisor', async () => {
    const csv = (rows) => `username,full_name,roles,password\n${rows.map((r) => `${r.join(',')},${PASSWORD}`).join('\n')}\n`;
    const districtCsv = csv([
      ['chutoa', 'Hoàng Văn Chủ', 'chair;delegate'],
      ['daibieu1', 'Đỗ Thị Một', 'delegate'],
      ['daibieu2', 'Vũ Văn Hai', 'delegate'],
      ['daibieu3', 'Bùi Thị Ba', 'delegate'],
      ['daibieu4', 'Lý Văn Bốn', 'delegate'],
    ]);
    const r1 = await call('POST', `/councils/${district.id}/members/import`, tokens.admin, districtCsv, 'text/csv');
    equal(r1.status, 201, 'district members imported');
    const r2 = await call('POST', `/councils/${province.id}/members/import`, tokens.admin, csv([['giamsat', 'Ngô Thị Giám Sát', 'supervisor']]), 'text/csv');
    equal(r2.status, 201, 'province supervisor imported');
    for (const u of [...DELEGATES, 'giamsat']) tokens[u] = await login(u);
  });

  const chair = await openPage(browser, DESKTOP, 'chair');
  await step('chair: a vote with two people not rated; one also on the ballot is refused by its field', async () => {
    const { page } = chair;
    await page.goto(`${base}/admin`);
    await signIn(page, 'chutoa');
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu', exact: true }).click();
    await page.getByLabel('Tên cuộc bỏ phiếu').fill(TITLE);
    await page.locator('#secrecy-server').check();
    await page.locator('#new-name-0').fill(SUBJECTS[0][0]);
    await page.locator('#new-pos-0').fill(SUBJECTS[0][1]);
    await page.getByRole('button', { name: 'Thêm người', exact: true }).click();
    await page.locator('#new-name-1').fill(SUBJECTS[1][0]);
    await page.locator('#new-pos-1').fill(SUBJECTS[1][1]);
    await page.getByRole('button', { name: 'Thêm người không lấy phiếu' }).click();
    equal(await page.evaluate(() => document.activeElement.id), 'new-exempt-name-0', 'focus on the new row');
    // The first person of the ballot typed again among the people not rated, in capitals.
    await page.locator('#new-exempt-name-0').fill(SUBJECTS[0][0].toUpperCase());
    await page.locator('#new-exempt-pos-0').fill(EXEMPT[0][1]);
    await page.locator('#new-exempt-reason-0').fill(EXEMPT[0][2]);
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu (chưa mở)' }).click();
    const error = await fieldError(page, 'new-exempt-name-0');
    check(error.startsWith(`exempt[0].full_name (${SUBJECTS[0][0].toUpperCase()}) is also subjects[0]`), `the exempt error: ${error}`);
    equal((await call('GET', `/councils/${district.id}/votes`, tokens.chutoa)).body.length, 0, 'nothing created (API)');
    await page.locator('#new-exempt-name-0').fill(EXEMPT[0][0]);
    await page.getByRole('button', { name: 'Tạo cuộc bỏ phiếu (chưa mở)' }).click();
    await page.getByRole('heading', { name: TITLE, level: 2 }).waitFor();
    vote = (await call('GET', `/councils/${district.id}/votes`, tokens.chutoa)).body[0];
    equal(vote.subjects.map((s) => s.full_name), SUBJECTS.map((s) => s[0]), 'the ballot (API)');
    equal(vote.exempt.map((e) => [e.full_name, e.positions[0], e.reason]), [EXEMPT[0]], 'one person not rated (API)');
  });

  await step('chair: edits the people not rated in the draft; an empty reason is refused by its field', async () => {
    const { page } = chair;
    equal(await page.locator('#edit-exempt-reason-0').inputValue(), EXEMPT[0][2], 'the reason shown in the draft');
    await page.getByRole('button', { name: 'Thêm người không lấy phiếu' }).click();
    await page.locator('#edit-exempt-name-1').fill(EXEMPT[1][0]);
    await page.locator('#edit-exempt-pos-1').fill(EXEMPT[1][1]);
    await page.getByRole('button', { name: 'Lưu danh sách' }).click();
    const error = await fieldError(page, 'edit-exempt-reason-1');
    check(error.startsWith('exempt[1].reason must not be empty'), `the reason error: ${error}`);
    equal((await call('GET', `/votes/${vote.id}`, tokens.chutoa)).body.exempt.length, 1, 'nothing changed (API)');
    await page.locator('#edit-exempt-reason-1').fill(EXEMPT[1][2]);
    await page.getByRole('button', { name: 'Lưu danh sách' }).click();
    await page.locator('.done-note').filter({ hasText: 'Đã lưu danh sách: 2 người.' }).waitFor();
    vote = (await call('GET', `/votes/${vote.id}`, tokens.chutoa)).body;
    equal(vote.exempt.map((e) => [e.full_name, e.positions[0], e.reason]), EXEMPT, 'two people not rated (API)');
    equal(vote.subjects.length, 2, 'the ballot unchanged');
    await page.locator('.exempt-editor').scrollIntoViewIfNeeded();
    await shot(page, 'office-exempt.png');
    await accessible(page, '/admin draft with people not rated');
    equal((await call('POST', `/votes/${vote.id}/open`, tokens.chutoa)).status, 200, 'the chair opens (API)');
  });

  const watch = await openPage(browser, DESKTOP, 'supervisor');
  const card = () => watch.page.locator(`li.vote[data-vote-id="${vote.id}"]`);
  await step('supervisor: /oversight shows the district, its open vote and the turnout as delegates cast', async () => {
    const { page } = watch;
    await page.goto(`${base}/oversight`);
    await signIn(page, 'giamsat');
    await page.getByRole('heading', { name: 'Giám sát việc lấy phiếu tín nhiệm ở các Hội đồng cấp dưới' }).waitFor();
    await page.getByRole('heading', { name: DISTRICT, level: 2 }).waitFor();
    await card().locator('.turnout-numbers').filter({ hasText: '0 / 5' }).waitFor();
    equal(await card().getAttribute('data-state'), 'open', 'the vote is open');
    for (const u of ['daibieu1', 'daibieu2', 'daibieu3']) {
      const marks = Object.fromEntries(vote.subjects.map((s) => [s.id, u === 'daibieu3' ? 'low' : 'high']));
      equal((await call('POST', `/votes/${vote.id}/ballot`, tokens[u], { marks })).status, 201, `${u} casts`);
    }
    await card().locator('.turnout-numbers').filter({ hasText: '3 / 5' }).waitFor({ timeout: 15_000 });
    await page.getByText('1 Hội đồng · 1 cuộc đang bỏ phiếu · 0 cuộc đã có kết quả').waitFor();
    await shot(page, 'oversight-open.png');
    await accessible(page, '/oversight, a vote open');
    await checkTargets(page, '/oversight');
  });

  await step('supervisor: nothing to change on the page; /admin and /chair refused; a write from the page is 403', async () => {
    const { page } = watch;
    equal(await page.locator('main button, main input, main select, main form').count(), 0, 'no control on the page while the vote is open');
    const links = await page.locator('#topbar nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    equal(links, [], 'no other page offered in the top bar');
    // The token the page holds, used as a script on the page could.
    const answer = await page.evaluate(async (id) => {
      const r = await fetch(`/api/v1/votes/${id}/close`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${sessionStorage.getItem('tinnhiem.token')}` },
      });
      return { status: r.status, type: r.headers.get('content-type'), body: await r.json() };
    }, vote.id);
    equal([answer.status, answer.type, answer.body.type], [403, 'application/problem+json', 'urn:tinnhiem:problem:forbidden'], 'closing refused');
    equal((await call('GET', `/votes/${vote.id}`, tokens.chutoa)).body.state, 'open', 'still open (API)');
    for (const [path, refusal] of [['/admin', 'Trang này dành cho quản trị viên và chủ tọa.'], ['/chair', 'Trang này dành cho chủ tọa.']]) {
      const other = await openPage(browser, DESKTOP, `supervisor ${path}`);
      await other.page.goto(`${base}${path}`);
      await signIn(other.page, 'giamsat');
      await other.page.getByRole('heading', { name: refusal }).waitFor();
      const offered = await other.page.locator('main a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      equal(offered, ['/oversight'], `${path}: the refusal offers the oversight page`);
      await other.context.close();
    }
  });

  await step('supervisor: after the close, the published results with the people not rated', async () => {
    const { page } = watch;
    for (const u of ['daibieu4', 'chutoa']) {
      const marks = Object.fromEntries(vote.subjects.map((s) => [s.id, 'medium']));
      equal((await call('POST', `/votes/${vote.id}/ballot`, tokens[u], { marks })).status, 201, `${u} casts`);
    }
    equal((await call('POST', `/votes/${vote.id}/close`, tokens.chutoa)).status, 200, 'the chair closes (API)');
    await card().locator('.note').filter({ hasText: 'Kết quả đã công bố tại kỳ họp; chưa công khai ra ngoài.' }).waitFor({ timeout: 15_000 });
    const show = card().getByRole('button', { name: 'Xem kết quả' });
    equal(await show.getAttribute('aria-expanded'), 'false', 'the results folded');
    await show.click();
    const table = card().locator('table.results');
    await table.waitFor();
    equal(await table.locator('tbody tr .name').allTextContents(), SUBJECTS.map((s) => s[0]), 'results in ballot order');
    const tally = (await call('GET', `/votes/${vote.id}/tally`, tokens.giamsat)).body;
    equal(await table.locator('tbody tr td[data-key="high"] .count').allTextContents(), tally.results.map((r) => String(r.counts.high)), 'the counts');
    const exempt = await card().locator('.exempt-list li').allTextContents();
    equal(exempt.length, 2, 'two people not rated');
    EXEMPT.forEach(([name, , reason], i) => check(exempt[i].includes(name) && exempt[i].includes(reason), `not rated: ${exempt[i]}`));
    await shot(page, 'oversight-results.png', { fullPage: true });
    await accessible(page, '/oversight, results shown');
    equal((await call('POST', `/votes/${vote.id}/publish`, tokens.chutoa)).status, 200, 'the chair makes them public (API)');
    await page.reload();
    await card().locator('.note').filter({ hasText: 'Kết quả đã công bố và đã công khai.' }).waitFor();
  });

  await step('the oversight page on a tablet held upright', async () => {
    const { page, context } = await openPage(browser, TABLET, 'supervisor tablet');
    await page.goto(`${base}/oversight`);
    await signIn(page, 'giamsat');
    await page.getByRole('heading', { name: DISTRICT, level: 2 }).waitFor();
    await checkTargets(page, '/oversight (tablet)');
    await context.close();
  });

  await step('chair: downloads the draft resolution from /admin; it names every person and those not rated', async () => {
    const { page } = chair;
    await page.goto(`${base}/admin`);
    const button = page.locator(`[data-vote-id="${vote.id}"]`).getByRole('button', { name: 'Tải dự thảo nghị quyết xác nhận kết quả' });
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    const name = download.suggestedFilename();
    check(/^nghi-quyet-lay-phieu-tin-nhiem-nam-2026-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.html$/.test(name), `the file's name: ${name}`);
    const html = readFileSync(await download.path(), 'utf8');
    for (const text of ['NGHỊ QUYẾT', DISTRICT.toUpperCase(), ...SUBJECTS.map((s) => s[0]), ...EXEMPT.flatMap((e) => [e[0], e[2]])]) {
      check(html.includes(text), `the resolution says "${text}"`);
    }
    check(html.includes('Tổng số phiếu phát ra: 5 phiếu; tổng số phiếu thu về: 5 phiếu.'), 'ballots issued and collected');
  });

  await step('admin: /oversight chooses among the councils that have councils below them', async () => {
    const { page } = office;
    await page.goto(`${base}/oversight`);
    await page.getByRole('heading', { name: DISTRICT, level: 2 }).waitFor();
    equal(await page.getByLabel('Hội đồng cấp trên').locator('option').allTextContents(), [PROVINCE], 'only the province');
    await accessible(page, '/oversight as the admin');
  });

  await step('no script error and no refused resource on any page', async () => {
    equal(pageErrors, [], 'errors in the pages');
    console.log(`# axe-core found no violation on: ${axeChecked.join('; ')}`);
  });
}

await runSteps(run, () => browser);
