// A whole vote through the pages, in Debian's chromium driven by Playwright:
// the chair opens the vote at /chair; three delegates cast on tablet-sized screens (one loses the
// network before its cast leaves, one loses the server's answer after its ballot was stored);
// a fourth casts, reloads and sees "already cast"; the chair closes and sees the outcomes; the
// auditor reads the tally and downloads the record. Screenshots go to docs/screens/.
//
//   node whole_vote.mjs [path/to/tinnhiem]      (default: ../../target/debug/tinnhiem)
//
// Starts the real binary on a free loopback port with a fresh SQLite database, seeds the council
// through the API, and prints `browser: N passed, M failed` last. Exits non-zero on any failure.

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  SCREENS,
  CHROMIUM,
  ADMIN,
  PASSWORD,
  check,
  equal,
  step,
  sleep,
  startServer,
  call,
  login,
  base,
  failed,
  server,
  shot,
  signIn,
  ballotRows,
  pageErrors,
  openPage,
  checkTargets,
  startBrowser,
  runSteps,
} from './harness.mjs';


const PORTRAIT = { width: 800, height: 1280 };
const LANDSCAPE = { width: 1280, height: 800 };

const MEMBERS = [
  ['chutoa', 'Nguyễn Thị Minh Khai', 'chair;delegate'],
  ['daibieu1', 'Trần Văn Bình', 'delegate'],
  ['daibieu2', 'Lê Thị Hồng Nhung', 'delegate'],
  ['daibieu3', 'Phạm Quốc Dũng', 'delegate'],
  ['daibieu4', 'Hoàng Thị Thu Hà', 'delegate'],
  ['kiemphieu', 'Đinh Thị Lan Anh', 'auditor'],
];

const SUBJECTS = [
  ['Nguyễn Văn An', ['Chủ tịch HĐND tỉnh']],
  ['Công Tằng Tôn Nữ Thị Phương Thảo', ['Phó Chủ tịch HĐND tỉnh']],
  ['Lê Văn Cường', ['Trưởng Ban Kinh tế - Ngân sách HĐND tỉnh']],
  ['Bùi Thị Lan', ['Ủy viên UBND tỉnh', 'Giám đốc Sở Tài chính']],
  [
    'Đặng Văn Hùng',
    ['Phó Chủ tịch Thường trực Ủy ban nhân dân tỉnh, phụ trách khối kinh tế, tài nguyên và môi trường'],
  ],
  ['Ngô Văn Phúc', ['Viện trưởng Viện kiểm sát nhân dân tỉnh']],
];

const { group, markByTouch, markByKeyboard, reviewedMarks } = ballotRows(SUBJECTS);

// Each delegate's marks, row by row (null: left blank). With 5 ballots, row 5 gets 3 "low"
// (more than half: may_resign) and row 6 gets 5 (two thirds or more: dismissal_required).
const MARKS = {
  daibieu1: ['high', 'high', 'medium', 'high', 'low', 'low'],
  daibieu2: ['high', 'medium', null, 'high', 'low', 'low'],
  daibieu3: ['high', 'high', 'high', 'medium', 'low', 'low'],
  daibieu4: ['medium', 'high', 'high', 'high', 'high', 'low'],
  chutoa: ['high', 'high', 'high', 'high', 'medium', 'low'],
};

// ---- the browser -------------------------------------------------------------------------

let browser = null;

const tablet = (viewport, label) => openPage(browser, viewport, label, { hasTouch: true });

function expectedReview(marks) {
  return marks.map((m) => m || 'blank');
}

async function ballotsCast(voteId, token) {
  const r = await call('GET', `/votes/${voteId}`, token);
  equal(r.status, 200, 'GET vote');
  return r.body.ballots_cast;
}

async function readDownload(download) {
  const file = await download.path();
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8') };
}

// ---- the run -------------------------------------------------------------------------------

async function run() {
  mkdirSync(SCREENS, { recursive: true });
  let admin;
  let councilId;
  let vote;
  const tokens = {};

  await step('the real binary starts on a fresh database', startServer);

  await step('seed: council, members by CSV, a rating vote (API)', async () => {
    admin = await login(ADMIN.username, ADMIN.password);
    const council = await call('POST', '/councils', admin, { name: 'HĐND tỉnh Thử Nghiệm', seats: 5 });
    equal(council.status, 201, 'create council');
    councilId = council.body.id;
    const csv = ['username,full_name,roles,password', ...MEMBERS.map(([u, n, r]) => `${u},${n},${r},${PASSWORD}`)].join('\n');
    const imported = await call('POST', `/councils/${councilId}/members/import`, admin, csv, 'text/csv');
    equal(imported.status, 201, `import members ${JSON.stringify(imported.body)}`);
    for (const [u] of MEMBERS) tokens[u] = await login(u);
    const created = await call('POST', `/councils/${councilId}/votes`, tokens.chutoa, {
      title: 'Lấy phiếu tín nhiệm giữa nhiệm kỳ 2021–2026',
      kind: 'rating',
      subjects: SUBJECTS.map(([full_name, positions]) => ({ full_name, positions })),
    });
    equal(created.status, 201, 'create vote');
    vote = created.body;
  });

  await step(`chromium starts headless (${CHROMIUM})`, async () => {
    browser = await startBrowser();
  });

  const chair = await tablet(LANDSCAPE, 'chair');

  await step('chair: signs in at /chair and opens the vote after confirming', async () => {
    const { page } = chair;
    await page.goto(`${base}/chair`);
    await signIn(page, 'chutoa');
    const card = page.locator(`[data-vote-id="${vote.id}"]`);
    await card.getByRole('heading', { name: vote.title }).waitFor();
    equal(await card.getAttribute('data-state'), 'draft', 'state before opening');
    await card.getByRole('button', { name: 'Mở bỏ phiếu' }).click();
    const dialog = page.getByRole('dialog', { name: 'Mở bỏ phiếu?' });
    await dialog.waitFor();
    await shot(page, 'chair-confirm.png');
    await dialog.getByRole('button', { name: 'Mở bỏ phiếu' }).click();
    await page.locator(`[data-vote-id="${vote.id}"][data-state="open"]`).waitFor();
    await page.locator(`[data-vote-id="${vote.id}"] .turnout-numbers`).filter({ hasText: '0 / 5' }).waitFor();
    const r = await call('GET', `/votes/${vote.id}`, tokens.chutoa);
    equal([r.body.state, r.body.eligible, r.body.ballots_cast], ['open', 5, 0], 'vote after opening (API)');
  });

  await step('delegate 1 (portrait): language switch, sign-in, ballot, review, cast', async () => {
    const { page, context } = await tablet(PORTRAIT, 'daibieu1');
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Chuyển sang tiếng Việt' }).click();
    await page.getByRole('heading', { name: 'Đăng nhập' }).waitFor();
    await checkTargets(page, 'sign-in');
    await shot(page, 'sign-in.png');
    await signIn(page, 'daibieu1');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    equal(await page.locator('fieldset.subject').count(), SUBJECTS.length, 'rows on the ballot');
    const legends = await page.locator('fieldset.subject legend .name').allTextContents();
    equal(legends, SUBJECTS.map(([n]) => n), 'rows in ballot order');
    await markByTouch(page, MARKS.daibieu1);
    await checkTargets(page, 'ballot (portrait)');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'ballot.png');
    await page.getByRole('button', { name: 'Xem lại phiếu' }).click();
    await page.getByRole('heading', { name: 'Xem lại phiếu' }).waitFor();
    equal(await reviewedMarks(page), expectedReview(MARKS.daibieu1), 'review');
    await checkTargets(page, 'review');
    await shot(page, 'review.png');
    await page.getByRole('button', { name: 'Gửi phiếu' }).click();
    await page.locator('#done[data-reason="cast"]').waitFor();
    await page.getByRole('heading', { name: 'Phiếu của bạn đã được ghi nhận' }).waitFor();
    await shot(page, 'confirmation.png');
    equal(await ballotsCast(vote.id, tokens.chutoa), 1, 'ballots cast after delegate 1 (API)');
    await context.close();
  });

  await step('delegate 2 (portrait): the network drops at the cast; marks kept; the retry casts once', async () => {
    const { page, context } = await tablet(PORTRAIT, 'daibieu2');
    await page.goto(`${base}/`);
    await signIn(page, 'daibieu2');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    await markByTouch(page, MARKS.daibieu2);
    await page.getByRole('button', { name: 'Xem lại phiếu' }).click();
    equal(await reviewedMarks(page), expectedReview(MARKS.daibieu2), 'review with a blank row');
    await page.getByText('Để trống', { exact: true }).waitFor();
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Gửi phiếu' }).click();
    const alert = page.locator('#net-banner');
    await alert.filter({ hasText: 'Mất kết nối mạng' }).waitFor();
    check((await alert.getAttribute('role')) === 'alert', 'the banner is announced (role=alert)');
    equal(await reviewedMarks(page), expectedReview(MARKS.daibieu2), 'marks kept while offline');
    const kept = await page.evaluate(() =>
      Object.entries(sessionStorage).filter(([k]) => k.startsWith('tinnhiem.marks.')).map(([, v]) => JSON.parse(v)),
    );
    equal(kept.length, 1, 'marks kept in the tab');
    equal(Object.keys(kept[0]).length, MARKS.daibieu2.filter(Boolean).length, 'marked rows kept');
    equal(await ballotsCast(vote.id, tokens.chutoa), 1, 'nothing cast while offline (API)');
    await sleep(1500); // at least one retry fails offline too
    await shot(page, 'offline.png');
    await context.setOffline(false);
    await page.locator('#done').waitFor();
    check(await page.locator('#net-banner').isHidden(), 'the banner is gone once cast');
    const me = await call('GET', `/votes/${vote.id}/ballot`, tokens.daibieu2);
    equal(me.body.cast, true, 'delegate 2 cast (API)');
    equal(await ballotsCast(vote.id, tokens.chutoa), 2, 'exactly one ballot stored for delegate 2 (API)');
    const again = await call('POST', `/votes/${vote.id}/ballot`, tokens.daibieu2, { marks: {} });
    equal([again.status, again.body.type], [409, 'urn:tinnhiem:problem:already-cast'], 'a second cast is refused');
    await context.close();
  });

  await step('delegate 3 (landscape): the answer is lost after the ballot is stored; the retry finds it in', async () => {
    const { page, context } = await tablet(LANDSCAPE, 'daibieu3');
    let lost = 0;
    await page.route('**/api/v1/votes/*/ballot', async (route) => {
      if (route.request().method() === 'POST' && lost === 0) {
        lost += 1;
        const answer = await route.fetch(); // reaches the server: the ballot is stored
        equal(answer.status(), 201, 'the first cast reached the server');
        await route.abort('connectionreset'); // and the tablet never hears of it
        return;
      }
      await route.continue();
    });
    await page.goto(`${base}/`);
    await signIn(page, 'daibieu3');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    await markByTouch(page, MARKS.daibieu3);
    await checkTargets(page, 'ballot (landscape)');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'ballot-landscape.png');
    await page.getByRole('button', { name: 'Xem lại phiếu' }).click();
    await page.getByRole('button', { name: 'Gửi phiếu' }).click();
    await page.locator('#done[data-reason="retried"]').waitFor();
    equal(lost, 1, 'one answer was lost');
    equal(await ballotsCast(vote.id, tokens.chutoa), 3, 'exactly one ballot stored for delegate 3 (API)');
    await context.close();
  });

  await step('delegate 4 (portrait, keyboard only): casts, reloads, sees "already cast"', async () => {
    const { page, context } = await tablet(PORTRAIT, 'daibieu4');
    await page.goto(`${base}/`);
    await signIn(page, 'daibieu4');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    await markByKeyboard(page, MARKS.daibieu4);
    await page.getByRole('button', { name: 'Xem lại phiếu' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Xem lại phiếu' }).waitFor();
    equal(await reviewedMarks(page), expectedReview(MARKS.daibieu4), 'review after keyboard marking');
    await page.getByRole('button', { name: 'Gửi phiếu' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#done[data-reason="cast"]').waitFor();
    await page.reload();
    await page.locator('#done[data-reason="already"]').waitFor();
    await page.getByText('Bạn đã bỏ phiếu trong cuộc lấy phiếu này').waitFor();
    equal(await page.locator('fieldset.subject').count(), 0, 'no second ballot after reload');
    await shot(page, 'already-cast.png');
    equal(await ballotsCast(vote.id, tokens.chutoa), 4, 'ballots cast after delegate 4 (API)');
    await context.close();
  });

  await step('chair: the turnout follows the casts while open', async () => {
    const { page } = chair;
    await page.locator(`[data-vote-id="${vote.id}"] .turnout-numbers`).filter({ hasText: '4 / 5' }).waitFor();
    await checkTargets(page, 'chair (open)');
    await shot(page, 'chair-open.png');
    // The chair is a delegate too, and casts from the API.
    const r = await call('POST', `/votes/${vote.id}/ballot`, tokens.chutoa, {
      marks: Object.fromEntries(vote.subjects.map((s, i) => [s.id, MARKS.chutoa[i]])),
    });
    equal(r.status, 201, 'the chair casts');
    await page.locator(`[data-vote-id="${vote.id}"] .turnout-numbers`).filter({ hasText: '5 / 5' }).waitFor();
  });

  await step('chair: closes after confirming; the tally shows each outcome in words', async () => {
    const { page } = chair;
    await page.getByRole('button', { name: 'Kết thúc bỏ phiếu' }).click();
    const dialog = page.getByRole('dialog', { name: 'Kết thúc bỏ phiếu?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Kết thúc bỏ phiếu' }).click();
    await page.locator(`[data-vote-id="${vote.id}"][data-state="closed"]`).waitFor();
    const table = page.locator(`[data-vote-id="${vote.id}"] table.results`);
    await table.waitFor();
    const outcomes = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.outcome));
    equal(outcomes, ['none', 'none', 'none', 'none', 'may_resign', 'dismissal_required'], 'outcomes in the table');
    for (const [outcome, words] of [
      ['may_resign', 'Có thể xin từ chức'],
      ['dismissal_required', 'Phải trình miễn nhiệm'],
    ]) {
      await table.locator(`tr[data-outcome="${outcome}"]`).getByText(words).filter({ visible: true }).waitFor();
    }
    const tally = await call('GET', `/votes/${vote.id}/tally`, tokens.chutoa);
    equal(tally.body.ballots_cast, 5, 'ballots cast in the tally (API)');
    equal(tally.body.results[2].counts, { high: 3, medium: 1, low: 0, blank: 1 }, 'row 3 with one blank');
    equal(tally.body.results[4].counts.low, 3, 'row 5 low');
    equal(await page.locator(`[data-vote-id="${vote.id}"] .tally`).getAttribute('data-ballots-cast'), '5', 'ballots cast on the page');
    await page.locator(`[data-vote-id="${vote.id}"] .vote-head`).scrollIntoViewIfNeeded();
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'chair-closed.png', { fullPage: true });
  });

  await step('auditor: the closed vote, its tally, and the downloads', async () => {
    const { page, context } = await tablet(PORTRAIT, 'kiemphieu');
    await page.goto(`${base}/audit`);
    await signIn(page, 'kiemphieu');
    await page.getByRole('heading', { name: 'Kiểm phiếu và biên bản' }).waitFor();
    const tally = page.locator(`.tally[data-vote-id="${vote.id}"]`);
    await tally.waitFor();
    equal(await tally.getAttribute('data-ballots-cast'), '5', 'ballots cast on the auditor page');
    await tally.locator('tr[data-outcome="may_resign"]').getByText('Có thể xin từ chức').filter({ visible: true }).waitFor();
    await checkTargets(page, 'auditor');
    await shot(page, 'auditor.png', { fullPage: true });

    const [tallyFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Kết quả công bố (JSON)' }).click(),
    ]);
    const published = JSON.parse((await readDownload(tallyFile)).text);
    equal(published.ballots_cast, 5, 'ballots cast in the downloaded tally');
    check(tallyFile.suggestedFilename().endsWith('.json'), 'tally file name');

    const probe = await call('GET', `/votes/${vote.id}/record`, tokens.kiemphieu);
    if (probe.status === 404 && String(probe.body?.detail || '').startsWith('There is nothing at')) {
      console.log('# skip: this binary does not serve GET /votes/{id}/record; record downloads not tested');
      return;
    }
    equal(probe.status, 200, `record endpoint ${JSON.stringify(probe.body)}`);
    const [jsonFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Biên bản có chữ ký (JSON)' }).click(),
    ]);
    const envelope = JSON.parse((await readDownload(jsonFile)).text);
    const record = envelope.record || envelope;
    equal(record.tally.ballots_cast, 5, 'ballots cast in the downloaded record');
    equal(record.format, 'tinnhiem-record/2', 'record format');
    equal(record.ballots, undefined, 'the record lists no ballots, only counts');
    equal(record.electors.cast.length, 5, 'delegates listed as having cast');
    check(typeof envelope.signature === 'string' && envelope.signature.length > 40, 'the record is signed');

    const [csvFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Kết quả (CSV)' }).click(),
    ]);
    const csv = await readDownload(csvFile);
    check(csv.name.endsWith('.csv') && csv.text.includes('Ngô Văn Phúc'), 'the CSV names the subjects');
    equal(csv.text.trimEnd().split('\r\n').length, 1 + SUBJECTS.length, 'the CSV has a row per subject and no ballot rows');

    for (const [label, word] of [
      ['Biên bản kiểm phiếu (HTML, tiếng Việt)', 'BIÊN BẢN'],
      ['Counting minutes (HTML, English)', 'minutes'],
    ]) {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: label }).click()]);
      const html = await readDownload(file);
      check(html.name.endsWith('.html') && /<html/i.test(html.text), `${label}: an HTML file`);
      check(html.text.toLowerCase().includes(word.toLowerCase()), `${label}: says "${word}"`);
    }
    await context.close();
  });

  await step('no script error and no refused resource on any page', async () => {
    equal(pageErrors, [], 'errors in the pages');
  });
}

await runSteps(run, () => browser);
