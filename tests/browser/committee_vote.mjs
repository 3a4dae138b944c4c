// A committee vote through the tablets, in Debian's chromium driven by Playwright: a committee
// of three (t = 2) makes its key with `tinnhiem committee ceremony`; four delegates mark on
// tablet-sized screens and their tablets encrypt; one checks a ballot first (the opened ballot
// passes `tinnhiem check-ballot` and the saved checker page, offline), then casts a fresh one;
// one loses the server and reloads, then the network, at the cast; one loses the server's
// answer; one uses the keyboard only and reloads; the chair casts from a terminal (`tinnhiem
// cast`) and closes; the chair's console follows the decryption (0, then 1 of 2) as two members
// decrypt with `tinnhiem committee decrypt`, then shows the tally; every tablet then says
// "Phiếu của bạn đã được tính"; the auditor downloads the record, `tinnhiem verify` accepts
// it, and the audit page finds a delegate's code as the tablet shows it. The ballot posts read
// from the tablets carry no mark and no randomness; axe-core (WCAG 2.1 A and AA) finds no
// violation on the ballot page in each committee-vote state, the checker page, the chair's
// console and the audit page of a committee vote.
// Screenshots go to $TINNHIEM_SCREENS.
//
//   node committee_vote.mjs [path/to/tinnhiem]      (default: ../../target/debug/tinnhiem)
//
// Prints how long a 44-subject ballot took to encrypt in the page's worker (not asserted), and
// `browser: N passed, M failed` last. Exits non-zero on any failure.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
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
  tool,
  base,
  failed,
  dir,
  server,
  shot,
  signIn,
  accessible,
  axeChecked,
  LABELS,
  ballotRows,
  pageErrors,
  openPage,
  checkTargets,
  startBrowser,
  runSteps,
} from './harness.mjs';


const PORTRAIT = { width: 800, height: 1280 };
const LANDSCAPE = { width: 1280, height: 800 };
const PASSPHRASE = 'cum-tu-bao-ve-tep-khoa';

const MEMBERS = [
  ['chutoa', 'Nguyễn Thị Minh Khai', 'chair;delegate'],
  ['daibieu1', 'Trần Văn Bình', 'delegate'],
  ['daibieu2', 'Lê Thị Hồng Nhung', 'delegate'],
  ['daibieu3', 'Phạm Quốc Dũng', 'delegate'],
  ['daibieu4', 'Hoàng Thị Thu Hà', 'delegate'],
  ['kiemphieu1', 'Đinh Thị Lan Anh', 'auditor'],
  ['kiemphieu2', 'Vũ Văn Toàn', 'auditor'],
  ['kiemphieu3', 'Mai Thị Hạnh', 'auditor'],
];
const COMMITTEE = ['kiemphieu1', 'kiemphieu2', 'kiemphieu3'];

const SUBJECTS = [
  ['Nguyễn Văn An', ['Chủ tịch HĐND tỉnh']],
  ['Công Tằng Tôn Nữ Thị Phương Thảo', ['Phó Chủ tịch HĐND tỉnh']],
  ['Lê Văn Cường', ['Trưởng Ban Kinh tế - Ngân sách HĐND tỉnh']],
  ['Bùi Thị Lan', ['Ủy viên UBND tỉnh', 'Giám đốc Sở Tài chính']],
  ['Đặng Văn Hùng', ['Phó Chủ tịch Thường trực UBND tỉnh']],
  ['Ngô Văn Phúc', ['Viện trưởng Viện kiểm sát nhân dân tỉnh']],
];

const { group, markByTouch, markByKeyboard, reviewedMarks } = ballotRows(SUBJECTS);

// Each delegate's marks, row by row (null: blank). daibieu1 first checks a ballot marked
// CHECKED, then changes row 1 before casting: the checked marks are never counted.
const CHECKED = ['low', 'high', 'medium', null, 'low', 'low'];
const MARKS = {
  daibieu1: ['high', 'high', 'medium', null, 'low', 'low'],
  daibieu2: ['high', 'medium', null, 'high', 'low', 'low'],
  daibieu3: ['high', 'high', 'high', 'medium', 'low', 'low'],
  daibieu4: ['medium', 'high', 'high', 'high', 'high', 'low'],
  chutoa: ['high', 'high', 'high', 'high', 'medium', 'low'],
};

// ---- the browser -------------------------------------------------------------------------

let browser = null;
/** Every body the tablets POSTed to a ballot, to read for marks and randomness. */
const ballotPosts = [];

async function tablet(viewport, label, options = {}) {
  const { context, page } = await openPage(browser, viewport, label, { hasTouch: true, timeout: 20_000, ...options });
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/ballot$/.test(request.url())) {
      ballotPosts.push({ who: label, body: request.postData() || '' });
    }
  });
  return { context, page };
}

/** What a finger presses on the ballot page; a link inside a sentence (to the checker page) is
 * text, which WCAG 2.5.8 leaves out of the target size. */
const TABLET_TARGETS = 'main button, main .choice, main input:not([type=radio]), #topbar button, #topbar a';

/** The review's tracking code (whole, hex) once the tablet has encrypted the ballot. */
async function reviewCode(page) {
  const code = page.locator('.review-page .tracking-code');
  await code.waitFor();
  const whole = await code.getAttribute('data-code');
  check(/^[0-9a-f]{64}$/.test(whole), `a tracking code: ${whole}`);
  const shown = (await code.textContent()).trim();
  equal(shown, whole.slice(0, 16).toUpperCase().match(/.{4}/g).join(' '), 'the code is shown short and grouped');
  return whole;
}


async function ballotsCast(voteId, token) {
  const r = await call('GET', `/votes/${voteId}`, token);
  equal(r.status, 200, 'GET vote');
  return r.body.ballots_cast;
}

async function readDownload(download) {
  const file = await download.path();
  return { name: download.suggestedFilename(), file, text: readFileSync(file, 'utf8') };
}


/** The tablet's done screen: the code it shows. */
async function doneCode(page) {
  const code = page.locator('#done .tracking-code');
  await code.waitFor();
  return code.getAttribute('data-code');
}

// ---- the run -------------------------------------------------------------------------------

async function run() {
  mkdirSync(SCREENS, { recursive: true });
  let admin;
  let councilId;
  let vote;
  const tokens = {};
  const codes = {};
  const tablets = {};
  let opened = null;

  await step('the real binary starts on a fresh database', startServer);

  await step('seed: council, members, a committee vote of three members, t = 2 (API)', async () => {
    admin = await login(ADMIN.username, ADMIN.password);
    const council = await call('POST', '/councils', admin, { name: 'HĐND tỉnh Thử Nghiệm', seats: 5 });
    equal(council.status, 201, 'create council');
    councilId = council.body.id;
    const csv = ['username,full_name,roles,password', ...MEMBERS.map(([u, n, r]) => `${u},${n},${r},${PASSWORD}`)].join('\n');
    const imported = await call('POST', `/councils/${councilId}/members/import`, admin, csv, 'text/csv');
    equal(imported.status, 201, `import members ${JSON.stringify(imported.body)}`);
    for (const [u] of MEMBERS) tokens[u] = await login(u);
    const members = await call('GET', `/councils/${councilId}/members`, tokens.chutoa);
    const ids = COMMITTEE.map((u) => members.body.find((m) => m.username === u).id);
    const created = await call('POST', `/councils/${councilId}/votes`, tokens.chutoa, {
      title: 'Lấy phiếu tín nhiệm giữa nhiệm kỳ 2021–2026 (Ban kiểm phiếu giữ khóa)',
      kind: 'rating',
      secrecy: 'committee',
      committee: { members: ids, threshold: 2 },
      subjects: SUBJECTS.map(([full_name, positions]) => ({ full_name, positions })),
    });
    equal(created.status, 201, `create vote ${JSON.stringify(created.body)}`);
    vote = created.body;
    equal(vote.committee.state, 'forming', 'the committee forms');
  });

  await step('the committee makes its key: three `tinnhiem committee ceremony` at once', async () => {
    const runs = COMMITTEE.map((u, i) =>
      tool(
        ['committee', 'ceremony', '--server', base, '--username', u, '--committee', vote.committee.id, '--share-file', path.join(dir, `share-${i + 1}.json`)],
        `${PASSWORD}\n${PASSPHRASE}\n`,
      ),
    );
    for (const [i, r] of (await Promise.all(runs)).entries()) {
      equal(r.code, 0, `ceremony of ${COMMITTEE[i]}: ${r.stderr}`);
    }
    const opened = await call('POST', `/votes/${vote.id}/open`, tokens.chutoa);
    equal(opened.status, 200, `open ${JSON.stringify(opened.body)}`);
    equal(opened.body.eligible, 5, 'eligible delegates');
  });

  await step(`chromium starts headless (${CHROMIUM})`, async () => {
    browser = await startBrowser();
  });

  await step('delegate 1 (portrait): the tablet encrypts, shows a code; Kiểm tra phiếu opens that ballot', async () => {
    const t = await tablet(PORTRAIT, 'daibieu1');
    tablets.daibieu1 = t;
    const { page } = t;
    await page.goto(`${base}/`);
    await signIn(page, 'daibieu1');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    await markByTouch(page, CHECKED);
    await page.getByRole('button', { name: 'Xem lại phiếu' }).click();
    await page.getByRole('heading', { name: 'Xem lại phiếu' }).waitFor();
    equal(await reviewedMarks(page), CHECKED.map((m) => m || 'blank'), 'review');
    const first = await reviewCode(page);
    await checkTargets(page, 'committee review', TABLET_TARGETS);
    await accessible(page, 'the ballot, marked');
    await shot(page, 'committee-review.png', { fullPage: true });
    await page.getByRole('button', { name: 'Kiểm tra phiếu' }).click();
    await page.getByRole('heading', { name: 'Phiếu đã mở để kiểm tra' }).waitFor();
    opened = JSON.parse(await page.locator('#opened-json').inputValue());
    equal(opened.tracking_code, first, 'the opened ballot is the one whose code was shown');
    equal(opened.marks, CHECKED.map((m) => (m ? ['high', 'medium', 'low'].indexOf(m) : null)), 'its marks');
    equal(Object.keys(opened), ['protocol', 'vote_id', 'manifest_hash', 'ballot_id', 'joint_key', 'choices', 'subjects', 'ballot', 'tracking_code', 'marks', 'randomness'], 'its fields');
    equal(opened.randomness.length, SUBJECTS.length, 'randomness per row');
    check(opened.randomness.every((row) => row.length === 3 && row.every((r) => /^[0-9a-f]{64}$/.test(r))), 'r per cell, hex');
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Tải phiếu đã mở (JSON)' }).click()]);
    const saved = await readDownload(file);
    equal(JSON.parse(saved.text), opened, 'the downloaded file is the text shown');
    check(saved.name.startsWith('opened-ballot-') && saved.name.endsWith('.json'), `file name ${saved.name}`);
    writeFileSync(path.join(dir, 'opened.json'), saved.text);
    await checkTargets(page, 'checked ballot', TABLET_TARGETS);
    await accessible(page, 'the ballot opened for a check');
    await shot(page, 'committee-checked.png', { fullPage: true });
  });

  await step('the opened ballot passes `tinnhiem check-ballot`; with a mark changed it does not', async () => {
    const good = await tool(['check-ballot', path.join(dir, 'opened.json')]);
    equal(good.code, 0, `check-ballot: ${good.stdout}${good.stderr}`);
    check(good.stdout.includes('KẾT QUẢ: ĐÚNG') && good.stdout.includes('Tín nhiệm thấp · Low'), good.stdout);
    const tampered = { ...opened, marks: [...opened.marks] };
    tampered.marks[0] = 0;
    writeFileSync(path.join(dir, 'tampered.json'), JSON.stringify(tampered));
    const bad = await tool(['check-ballot', path.join(dir, 'tampered.json')]);
    equal(bad.code, 1, `check-ballot on a changed mark: ${bad.stdout}`);
  });

  await step('the checker page, saved and opened from a file with no network, says the same', async () => {
    const res = await fetch(`${base}/verify-ballot`);
    equal(res.status, 200, 'GET /verify-ballot');
    const csp = res.headers.get('content-security-policy');
    check(csp.includes("connect-src 'none'") && !csp.includes('unsafe'), `its policy: ${csp}`);
    const html = await res.text();
    const saved = path.join(dir, 'kiem-tra-phieu.html');
    writeFileSync(saved, html);
    const offline = await tablet(PORTRAIT, 'checker', { offline: true });
    const { page } = offline;
    let requests = 0;
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests += 1;
    });
    await page.goto(pathToFileURL(saved).href);
    await page.locator('#check').waitFor();
    await page.getByLabel(/Hoặc dán JSON/).fill(JSON.stringify(opened));
    await page.locator('#check').click();
    await page.locator('#result[data-verdict="matches"]').waitFor();
    const rows = await page.locator('#result .rows li').evaluateAll((n) => n.map((x) => x.dataset.choice));
    equal(rows, CHECKED.map((m) => m || 'blank'), 'the rows the page reads');
    await accessible(page, 'the saved checker page, matching');
    await shot(page, 'verify-ballot.png', { fullPage: true });
    const tampered = { ...opened, randomness: opened.randomness.map((row) => [...row]) };
    tampered.randomness[2][1] = tampered.randomness[2][0];
    await page.getByLabel(/Hoặc dán JSON/).fill(JSON.stringify(tampered));
    await page.locator('#check').click();
    await page.locator('#result[data-verdict="differs"]').waitFor();
    await accessible(page, 'the saved checker page, not matching');
    await page.getByLabel(/Hoặc dán JSON/).fill('{"protocol": "x"}');
    await page.locator('#check').click();
    await page.locator('#result[data-verdict="unreadable"]').waitFor();
    equal(requests, 0, 'requests from the saved checker');
    await offline.context.close();
    // Served by the binary, it works as well.
    const served = await tablet(LANDSCAPE, 'checker-served');
    await served.page.goto(`${base}/verify-ballot`);
    await served.page.locator('#opened').fill(JSON.stringify(opened));
    await served.page.locator('#check').click();
    await served.page.locator('#result[data-verdict="matches"]').waitFor();
    await served.context.close();
  });

  await step('delegate 1: a fresh ballot and a new code; changes a mark; casts (Bỏ phiếu)', async () => {
    const { page } = tablets.daibieu1;
    await page.getByRole('button', { name: 'Mã hóa phiếu mới' }).click();
    const fresh = await reviewCode(page);
    check(fresh !== opened.tracking_code, 'a new code after the check');
    await page.getByRole('button', { name: 'Sửa lại' }).click();
    await group(page, 0).getByRole('radio', { name: LABELS.high, exact: true }).click();
    await page.getByRole('button', { name: 'Xem lại phiếu' }).click();
    equal(await reviewedMarks(page), MARKS.daibieu1.map((m) => m || 'blank'), 'review after the change');
    const cast = await reviewCode(page);
    check(cast !== fresh && cast !== opened.tracking_code, 'a new code after a change');
    await page.getByRole('button', { name: 'Bỏ phiếu', exact: true }).click();
    await page.locator('#done[data-reason="cast"]').waitFor();
    equal(await doneCode(page), cast, 'the cast screen keeps the code');
    codes.daibieu1 = cast;
    await page.getByText('Khi kết quả được công bố').waitFor();
    await accessible(page, 'the cast ballot with its code');
    await shot(page, 'committee-cast.png', { fullPage: true });
    equal(await ballotsCast(vote.id, tokens.chutoa), 1, 'ballots cast (API)');
    const kept = await page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
    const keptCodes = Object.entries(kept.local).filter(([k]) => k.startsWith('tinnhiem.code.'));
    equal(keptCodes.length, 1, 'one code kept on the tablet');
    equal(JSON.parse(keptCodes[0][1]).code, cast, 'the code kept');
    const stored = JSON.stringify(kept);
    check(!opened.randomness.flat().some((r) => stored.includes(r)), 'no randomness stored');
    check(!Object.keys(kept.session).some((k) => /marks|sealed|pending/.test(k)), 'nothing of the ballot left in the tab');
  });

  await step('delegate 2 (portrait): no server, a reload, then the network drops at the cast; the same ballot lands once', async () => {
    const t = await tablet(PORTRAIT, 'daibieu2');
    tablets.daibieu2 = t;
    const { page, context } = t;
    await page.goto(`${base}/`);
    await signIn(page, 'daibieu2');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    await markByTouch(page, MARKS.daibieu2);
    await page.getByRole('button', { name: 'Xem lại phiếu' }).click();
    const code = await reviewCode(page);
    // First the server cannot be reached and the tablet reloads while the cast is under way:
    // the same encrypted ballot is back under review, and it can no longer be opened.
    const blocked = '**/api/v1/votes/*/ballot';
    await page.route(blocked, (route) =>
      route.request().method() === 'POST' ? route.abort('internetdisconnected') : route.continue(),
    );
    await page.getByRole('button', { name: 'Bỏ phiếu', exact: true }).click();
    await page.locator('#net-banner').filter({ hasText: 'Mất kết nối mạng' }).waitFor();
    check(await page.getByRole('button', { name: 'Kiểm tra phiếu' }).isDisabled(), 'a ballot sent cannot be checked');
    await page.reload();
    await page.getByText('Phiếu trước đó chưa đến máy chủ').waitFor();
    equal(await reviewCode(page), code, 'after the reload, the same ballot');
    check(await page.getByRole('button', { name: 'Kiểm tra phiếu' }).isDisabled(), 'nor after a reload');
    await page.unroute(blocked);
    // Then the network drops at the cast, and comes back.
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Bỏ phiếu', exact: true }).click();
    await page.locator('#net-banner').filter({ hasText: 'Mất kết nối mạng' }).waitFor();
    equal(await ballotsCast(vote.id, tokens.chutoa), 1, 'nothing cast while offline (API)');
    await sleep(1500);
    await accessible(page, 'the ballot, offline at the cast');
    await page.locator('#cast-button').scrollIntoViewIfNeeded();
    await shot(page, 'committee-offline.png');
    await context.setOffline(false);
    await page.locator('#done').waitFor();
    equal(await doneCode(page), code, 'the code of the ballot that landed');
    codes.daibieu2 = code;
    equal(await ballotsCast(vote.id, tokens.chutoa), 2, 'exactly one ballot for delegate 2 (API)');
  });

  await step('delegate 3 (landscape): the answer is lost after the ballot is stored; the retry finds it in', async () => {
    const t = await tablet(LANDSCAPE, 'daibieu3');
    tablets.daibieu3 = t;
    const { page } = t;
    let lost = 0;
    await page.route('**/api/v1/votes/*/ballot', async (route) => {
      if (route.request().method() === 'POST' && lost === 0) {
        lost += 1;
        const answer = await route.fetch();
        equal(answer.status(), 201, 'the first cast reached the server');
        await route.abort('connectionreset');
        return;
      }
      await route.continue();
    });
    await page.goto(`${base}/`);
    await signIn(page, 'daibieu3');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    await markByTouch(page, MARKS.daibieu3);
    await page.getByRole('button', { name: 'Xem lại phiếu' }).click();
    const code = await reviewCode(page);
    await checkTargets(page, 'committee review (landscape)', TABLET_TARGETS);
    await page.getByRole('button', { name: 'Bỏ phiếu', exact: true }).click();
    await page.locator('#done[data-reason="retried"]').waitFor();
    equal(lost, 1, 'one answer was lost');
    equal(await doneCode(page), code, 'the code of the ballot stored');
    codes.daibieu3 = code;
    equal(await ballotsCast(vote.id, tokens.chutoa), 3, 'exactly one ballot for delegate 3 (API)');
  });

  await step('delegate 4 (portrait, keyboard only): a 44-subject ballot timed in the worker; casts; reloads', async () => {
    const t = await tablet(PORTRAIT, 'daibieu4');
    tablets.daibieu4 = t;
    const { page } = t;
    await page.goto(`${base}/`);
    await signIn(page, 'daibieu4');
    await page.getByRole('heading', { name: vote.title }).waitFor();
    // The same worker the page uses, on a ballot of 44 rows of 3 under this vote's key.
    const timing = await page.evaluate(async (voteId) => {
      const { Sealer } = await import('/assets/sealer.js');
      const token = sessionStorage.getItem('tinnhiem.token');
      const res = await fetch(`/api/v1/votes/${voteId}/ballot`, { headers: { Authorization: `Bearer ${token}` } });
      const { encryption } = await res.json();
      const sealer = new Sealer();
      const started = performance.now();
      await sealer.setup(encryption, 44);
      const setup = performance.now() - started;
      const marks = Array.from({ length: 44 }, (_, i) => (i % 4 === 3 ? null : i % 3));
      // The page's main thread while the worker encrypts: the longest gap between frames.
      let longest = 0;
      let last = performance.now();
      let running = true;
      const frames = () => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        if (running) requestAnimationFrame(frames);
      };
      requestAnimationFrame(frames);
      const before = performance.now();
      const sealed = await sealer.seal(marks);
      const wall = performance.now() - before;
      running = false;
      sealer.stop();
      return { setup, wall, worker: sealed.millis, bytes: sealed.ballot.length, longest };
    }, vote.id);
    equal(timing.bytes, 53504, 'a 44 × 3 ballot');
    console.log(
      `# time: a 44-subject ballot (44 × 3, all proofs and the tracking code) encrypted in the page's worker in ${timing.worker.toFixed(0)} ms ` +
        `(${timing.wall.toFixed(0)} ms as the page waited; the joint key's table ${timing.setup.toFixed(0)} ms; ` +
        `longest gap between frames on the page meanwhile ${timing.longest.toFixed(0)} ms)`,
    );
    await markByKeyboard(page, MARKS.daibieu4);
    await page.getByRole('button', { name: 'Xem lại phiếu' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Xem lại phiếu' }).waitFor();
    const code = await reviewCode(page);
    await page.getByRole('button', { name: 'Bỏ phiếu', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#done[data-reason="cast"]').waitFor();
    await page.reload();
    await page.locator('#done[data-reason="already"]').waitFor();
    equal(await doneCode(page), code, 'the code, kept across the reload');
    equal(await page.locator('fieldset.subject').count(), 0, 'no second ballot after reload');
    codes.daibieu4 = code;
    equal(await ballotsCast(vote.id, tokens.chutoa), 4, 'ballots cast (API)');
  });

  await step('the chair casts from a terminal (`tinnhiem cast`) and closes (API)', async () => {
    const marks = MARKS.chutoa.flatMap((m, i) => (m ? ['--mark', `${i + 1}=${m}`] : []));
    const r = await tool(['cast', '--server', base, '--username', 'chutoa', '--vote', vote.id, ...marks], `${PASSWORD}\n`);
    equal(r.code, 0, `tinnhiem cast: ${r.stderr}`);
    codes.chutoa = r.stdout.trim();
    const closed = await call('POST', `/votes/${vote.id}/close`, tokens.chutoa);
    equal([closed.status, closed.body.state], [200, 'closed'], 'close');
    const early = await call('GET', `/votes/${vote.id}/tracking-codes/${codes.daibieu1}`, tokens.daibieu1);
    equal(early.status, 409, 'no code is confirmed before the tally is published');
  });

  let chairPage = null;
  await step("chair's console: the committee's decryption, 0 of 2, before any member decrypts", async () => {
    const { page } = await tablet(LANDSCAPE, 'chair console');
    chairPage = page;
    await page.goto(`${base}/chair`);
    await signIn(page, 'chutoa');
    const card = page.locator(`[data-vote-id="${vote.id}"]`);
    await card.getByText('Giải mã kết quả: 0/2 thành viên Ban kiểm phiếu đã gửi phần giải mã').waitFor();
    equal(await card.getByRole('button', { name: 'Xem kết quả' }).count(), 0, 'no tally to show yet');
    await shot(page, 'chair-committee-decrypting.png');
    await accessible(page, 'the chair console, a committee vote decrypting');
  });

  await step('the posts of the tablets carried ciphertexts only: no mark, no randomness', async () => {
    const posts = ballotPosts.filter((p) => p.who.startsWith('daibieu'));
    check(posts.length >= 5, `ballot posts read: ${posts.length}`);
    for (const post of posts) {
      const body = JSON.parse(post.body);
      equal(Object.keys(body), ['encrypted'], `${post.who}: the post's members`);
      equal(Object.keys(body.encrypted), ['ballot_id', 'ballot'], `${post.who}: the encrypted ballot's members`);
      // The ballot's base64 may spell any word by chance: the words are looked for around it.
      const around = post.body.replace(body.encrypted.ballot, '');
      check(/^[A-Za-z0-9+/]+={0,2}$/.test(body.encrypted.ballot), `${post.who}: the ballot is not base64`);
      check(!/marks|high|medium|low|randomness/.test(around), `${post.who}: a mark in the post`);
      check(body.encrypted.ballot !== opened.ballot, `${post.who}: the checked ballot was sent`);
      check(!opened.randomness.flat().some((r) => post.body.includes(r)), `${post.who}: randomness in the post`);
    }
  });

  await step('two members decrypt (`tinnhiem committee decrypt`); the third is absent; the tally is published', async () => {
    for (const i of [1, 2]) {
      const r = await tool(
        ['committee', 'decrypt', '--server', base, '--username', `kiemphieu${i}`, '--vote', vote.id, '--share-file', path.join(dir, `share-${i}.json`)],
        `${PASSWORD}\n${PASSPHRASE}\n`,
      );
      equal(r.code, 0, `decrypt by kiemphieu${i}: ${r.stderr}`);
      if (i === 1) {
        // The chair's console follows the decryption as it polls.
        await chairPage.getByText('Giải mã kết quả: 1/2 thành viên Ban kiểm phiếu đã gửi phần giải mã').waitFor();
      }
    }
    // Once published, the console shows the tally and how the ballots were kept secret.
    const card = chairPage.locator(`[data-vote-id="${vote.id}"]`);
    await card.locator('.tally').waitFor();
    await card.getByText('Phiếu được mã hóa; kết quả do 2/3 thành viên Ban kiểm phiếu cùng giải mã.').waitFor();
    await shot(chairPage, 'chair-committee-published.png');
    const tally = await call('GET', `/votes/${vote.id}/tally`, tokens.chutoa);
    equal(tally.status, 200, `tally ${JSON.stringify(tally.body)}`);
    equal(tally.body.ballots_cast, 5, 'ballots cast');
    const counts = SUBJECTS.map((_, i) => {
      const c = { high: 0, medium: 0, low: 0, blank: 0 };
      for (const marks of Object.values(MARKS)) c[marks[i] || 'blank'] += 1;
      return c;
    });
    equal(tally.body.results.map((r) => r.counts), counts, 'the counts are the marks cast, not the checked ones');
  });

  await step('every tablet says "Phiếu của bạn đã được tính"', async () => {
    for (const who of ['daibieu2', 'daibieu3', 'daibieu4']) {
      const { page } = tablets[who];
      await page.locator('#done .receipt[data-status="counted"]').waitFor({ timeout: 30_000 });
      await page.locator('#done .code-status.counted').filter({ hasText: 'Phiếu của bạn đã được tính' }).waitFor();
    }
    await accessible(tablets.daibieu4.page, 'the cast ballot, counted');
    await shot(tablets.daibieu4.page, 'committee-counted.png', { fullPage: true });
    // Delegate 1 reloads: no vote is open; the page lists the ballot cast on this tablet.
    const { page } = tablets.daibieu1;
    await page.reload();
    await page.getByRole('heading', { name: 'Phiếu bạn đã bỏ trên máy này' }).waitFor();
    const receipt = page.locator(`.receipt[data-vote-id="${vote.id}"]`);
    await receipt.locator('[data-status="counted"], .code-status.counted').first().waitFor({ timeout: 30_000 });
    equal(await receipt.locator('.tracking-code').getAttribute('data-code'), codes.daibieu1, 'its code');
    await accessible(page, 'the codes cast on the tablet, after a reload');
    await shot(page, 'committee-counted-reload.png', { fullPage: true });
    for (const t of Object.values(tablets)) await t.context.close();
  });

  await step('auditor: downloads the signed record; `tinnhiem verify` accepts it; every code is in it', async () => {
    const { page, context } = await tablet(PORTRAIT, 'kiemphieu3');
    await page.goto(`${base}/audit`);
    await signIn(page, 'kiemphieu3');
    await page.locator(`.tally[data-vote-id="${vote.id}"]`).waitFor();
    const [jsonFile] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Biên bản có chữ ký (JSON)' }).click(),
    ]);
    const saved = await readDownload(jsonFile);
    const envelope = JSON.parse(saved.text);
    const record = envelope.record || envelope;
    equal(record.vote.secrecy, 'committee', 'a committee record');
    const listed = record.encryption.ballots.map((b) => b.tracking_code);
    for (const [who, code] of Object.entries(codes)) check(listed.includes(code), `${who}'s code is in the record`);
    check(!listed.includes(opened.tracking_code), 'the checked ballot is not in the record');
    const key = await call('GET', '/public-key');
    writeFileSync(path.join(dir, 'key.json'), JSON.stringify(key.body));
    writeFileSync(path.join(dir, 'record.json'), saved.text);
    const verified = await tool(['verify', path.join(dir, 'record.json'), '--public-key', path.join(dir, 'key.json')]);
    equal(verified.code, 0, `tinnhiem verify: ${verified.stdout}${verified.stderr}`);
    // Who checked the proofs, and a delegate's code looked up as the tablet shows it.
    const section = page.locator('.committee-audit');
    await section.getByText('5 phiếu mã hóa. Máy chủ đã kiểm tra bằng chứng của từng phiếu khi nhận phiếu.').waitFor();
    await section.getByText(/Đinh Thị Lan Anh, Vũ Văn Toàn\.$/).waitFor();
    const shortForm = codes.daibieu1.slice(0, 16).toUpperCase().match(/.{4}/g).join(' ');
    await page.getByLabel('Mã theo dõi phiếu').fill(shortForm);
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await section.getByText(`Phiếu mang mã ${codes.daibieu1} có trong bản ghi và đã được tính.`).waitFor();
    await shot(page, 'audit-committee-lookup.png', { fullPage: true });
    await accessible(page, 'the audit page of a committee vote, a code found');
    await page.getByLabel('Mã theo dõi phiếu').fill(opened.tracking_code.slice(0, 16));
    await page.getByRole('button', { name: 'Tra cứu' }).click();
    await section.getByText('Không có phiếu nào mang mã này trong bản ghi.').waitFor();
    await context.close();
  });

  await step('no script error and no refused resource on any page', async () => {
    equal(pageErrors, [], 'errors in the pages');
    console.log(`# axe-core found no violation on: ${axeChecked.join('; ')}`);
  });
}

await runSteps(run, () => browser);
