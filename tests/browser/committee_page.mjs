// The counting committee's page (/committee), in Debian's chromium driven by Playwright: a
// committee of 3 (t = 2) makes its key, two members on the page (two browser contexts, one of
// them reloading mid-ceremony and going on from its key file) and the third with the
// command-line tool (`tinnhiem committee ceremony`); every member sees the same fingerprint, and
// the page and the tool each read a key file the other wrote.
// The vote (44 subjects) opens, 20 delegates cast encrypted ballots (four with `tinnhiem cast`,
// the others through the API with ballots encrypted by web/assets/crypto/ballot.js), the chair
// closes; one member decrypts on the page (from its key file, after a reload, its ballots
// checked by one worker a core) and the tool's member with `tinnhiem committee decrypt`; the
// tally is published. Prints how long the page took to check the ballots (not asserted).
// Screenshots at tablet size go to $TINNHIEM_SCREENS.
//
//   node committee_page.mjs [path/to/tinnhiem]      (default: ../../target/debug/tinnhiem)
//
// Prints `browser: N passed, M failed` last. Exits non-zero on any failure.

import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as B from '../../web/assets/crypto/ballot.js';
import { openShareFile } from '../../web/assets/crypto/sharefile.js';
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
  dir,
  server,
  shot,
  signIn,
  accessible,
  axeChecked,
  pageErrors,
  openPage,
  startBrowser,
  runSteps,
} from './harness.mjs';


const PORTRAIT = { width: 800, height: 1280 };
const PASSPHRASES = { kiemphieu1: 'cum mat khau mot', kiemphieu2: 'cum mat khau hai', kiemphieu3: 'cum mat khau ba' };

const MEMBERS = [
  ['chutoa', 'Nguyễn Thị Minh Khai', 'chair;delegate'],
  ['daibieu1', 'Trần Văn Bình', 'delegate'],
  ['daibieu2', 'Lê Thị Hồng Nhung', 'delegate'],
  ['daibieu3', 'Phạm Quốc Dũng', 'delegate'],
  ['kiemphieu1', 'Đinh Thị Lan Anh', 'auditor'],
  ['kiemphieu2', 'Vũ Minh Tuấn', 'auditor'],
  ['kiemphieu3', 'Hồ Thị Mai', 'auditor'],
];
// More delegates, who cast through the API with ballots encrypted by web/assets/crypto/ballot.js.
const EXTRA = Array.from({ length: 16 }, (_, k) => `daibieu${k + 4}`);
for (const [k, u] of EXTRA.entries()) MEMBERS.push([u, `Đại biểu Thử Nghiệm ${k + 4}`, 'delegate']);

// A ballot of 44 subjects, as in a provincial council's mid-term vote.
const SUBJECTS = [
  ['Nguyễn Văn An', ['Chủ tịch HĐND tỉnh']],
  ['Lê Văn Cường', ['Trưởng Ban Kinh tế - Ngân sách HĐND tỉnh']],
  ['Bùi Thị Lan', ['Ủy viên UBND tỉnh', 'Giám đốc Sở Tài chính']],
  ['Ngô Văn Phúc', ['Viện trưởng Viện kiểm sát nhân dân tỉnh']],
  ...Array.from({ length: 40 }, (_, k) => [`Người Được Lấy Phiếu ${k + 5}`, ['Ủy viên UBND tỉnh']]),
];
const CHOICES = ['high', 'medium', 'low'];

// The command-line delegates' marks by row number (a row left out is blank).
const CASTS = {
  chutoa: ['1=high', '2=high', '3=medium', '4=low'],
  daibieu1: ['1=high', '2=medium', '4=low'],
  daibieu2: ['1=medium', '2=high', '3=high', '4=low'],
  daibieu3: ['1=high', '3=low', '4=medium'],
};

/** The API delegates' marks: for each row a choice's index or null (blank), fixed per name. */
function marksOf(username) {
  let x = [...username].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  return SUBJECTS.map(() => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const r = (x >>> 16) % 4;
    return r === 3 ? null : r;
  });
}

/** The counts every row must have, from all the marks cast. */
function expectedCounts() {
  const counts = SUBJECTS.map(() => ({ high: 0, medium: 0, low: 0, blank: 0 }));
  for (const marks of Object.values(CASTS)) {
    const byRow = Object.fromEntries(marks.map((m) => m.split('=')));
    counts.forEach((c, i) => (c[byRow[i + 1] || 'blank'] += 1));
  }
  for (const u of EXTRA) marksOf(u).forEach((m, i) => (counts[i][m === null ? 'blank' : CHOICES[m]] += 1));
  return counts;
}
const CAST_COUNT = Object.keys(CASTS).length + EXTRA.length;

// ---- the browser ---------------------------------------------------------------------------

/** The binary with `args`, each of `lines` one line of its standard input. */
function toolLines(args, lines) {
  return tool(args, lines.map((l) => `${l}\n`).join(''));
}

let browser = null;
/** Every request the pages made: its address and body. */
const requests = [];

async function tablet(label) {
  const { context, page } = await openPage(browser, PORTRAIT, label, { hasTouch: true, acceptDownloads: true, timeout: 30_000 });
  context.on('request', (r) => requests.push({ url: r.url(), body: r.postData() || '' }));
  return { context, page };
}

/** Clicks `button` and keeps the file it downloads; resolves to its path. */
async function downloadBy(page, button, name) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = path.join(dir, name);
  await download.saveAs(file);
  return file;
}

/** Opens a key file on the page with its passphrase. */
async function openKeyFile(page, file, passphrase) {
  await page.getByLabel('Tệp khóa', { exact: true }).setInputFiles(file);
  await page.getByLabel('Cụm mật khẩu của tệp khóa').fill(passphrase);
  await page.getByRole('button', { name: 'Mở tệp khóa', exact: true }).click();
}

async function fingerprintOn(page) {
  const node = page.locator('.fingerprint');
  await node.waitFor({ timeout: 90_000 });
  return { text: (await node.textContent()).trim(), hash: await node.getAttribute('data-hash') };
}

// ---- the run -------------------------------------------------------------------------------

async function run() {
  mkdirSync(SCREENS, { recursive: true });
  const tokens = {};
  const ids = {};
  let vote;
  let committeeId;
  const files = {};

  await step('the real binary starts on a fresh database', startServer);

  await step('seed: council, members, a committee vote of 3 auditors, t = 2 (API)', async () => {
    const admin = await login(ADMIN.username, ADMIN.password);
    const council = await call('POST', '/councils', admin, { name: 'HĐND tỉnh Thử Nghiệm', seats: 4 + EXTRA.length });
    equal(council.status, 201, 'create council');
    const csv = ['username,full_name,roles,password', ...MEMBERS.map(([u, n, r]) => `${u},${n},${r},${PASSWORD}`)].join('\n');
    const imported = await call('POST', `/councils/${council.body.id}/members/import`, admin, csv, 'text/csv');
    equal(imported.status, 201, `import members ${JSON.stringify(imported.body)}`);
    for (const [u] of MEMBERS) {
      tokens[u] = await login(u);
      ids[u] = (await call('GET', '/me', tokens[u])).body.id;
    }
    const created = await call('POST', `/councils/${council.body.id}/votes`, tokens.chutoa, {
      title: 'Lấy phiếu tín nhiệm, kỳ họp thứ 20',
      kind: 'rating',
      secrecy: 'committee',
      committee: { members: ['kiemphieu1', 'kiemphieu2', 'kiemphieu3'].map((u) => ids[u]), threshold: 2 },
      subjects: SUBJECTS.map(([full_name, positions]) => ({ full_name, positions })),
    });
    equal(created.status, 201, `create vote ${JSON.stringify(created.body)}`);
    vote = created.body;
    committeeId = vote.committee.id;
    equal(vote.committee.state, 'forming', 'committee state');
  });

  await step(`chromium starts headless (${CHROMIUM})`, async () => {
    browser = await startBrowser();
  });

  const one = await tablet('kiemphieu1');
  const two = await tablet('kiemphieu2');

  await step('member 1: signs in at /committee, sees the committee and its vote, opens it', async () => {
    const { page } = one;
    await page.goto(`${base}/committee`);
    await signIn(page, 'kiemphieu1');
    await page.getByRole('heading', { name: 'Ban kiểm phiếu', level: 1 }).waitFor();
    const card = page.locator(`[data-committee-id="${committeeId}"]`);
    await card.getByText('Ban kiểm phiếu: 2/3 thành viên cùng giải mã').waitFor();
    await card.getByText(vote.title, { exact: false }).waitFor();
    await accessible(page, 'the committees');
    await shot(page, 'committee-page-list.png');
    await card.getByRole('button', { name: 'Mở' }).click();
    await page.getByRole('heading', { name: 'Lễ tạo khóa' }).waitFor();
    equal(await page.locator('.ceremony-progress tbody tr').count(), 3, 'a row per member');
    await accessible(page, 'the ceremony, before joining');
    await shot(page, 'committee-page-begin.png', { fullPage: true });
  });

  await step('member 1: a short passphrase is refused; then secrets made, key file downloaded, joined', async () => {
    const { page } = one;
    await page.getByLabel('Cụm mật khẩu mới cho tệp khóa').fill('ngan');
    await page.getByLabel('Nhập lại cụm mật khẩu').fill('ngan');
    await page.getByRole('button', { name: 'Tạo bí mật, tải tệp khóa và tham gia' }).click();
    await page.getByRole('alert').filter({ hasText: 'Cụm mật khẩu cần ít nhất 8 ký tự.' }).waitFor();
    await page.getByLabel('Cụm mật khẩu mới cho tệp khóa').fill(PASSPHRASES.kiemphieu1);
    await page.getByLabel('Nhập lại cụm mật khẩu').fill(PASSPHRASES.kiemphieu1);
    files.oneCeremony = await downloadBy(page, page.getByRole('button', { name: 'Tạo bí mật, tải tệp khóa và tham gia' }), 'one-ceremony.json');
    const text = readFileSync(files.oneCeremony, 'utf8');
    const sealed = JSON.parse(text);
    equal([sealed.format, sealed.kdf, sealed.memory_kib, sealed.passes], ['tinnhiem-committee-share/1', 'argon2id', 19456, 3], "the tool's file format");
    check(!/sealing_secret|coefficients/.test(text), 'the file holds no secret in the clear');
    await page.locator('.ceremony-progress tr[data-position="1"] td').first().filter({ hasText: 'Xong' }).waitFor();
    const c = await call('GET', `/committees/${committeeId}`, tokens.kiemphieu1);
    check(c.body.members[0].sealing_key, 'member 1 joined (API)');
  });

  await step('member 2: joins on the page, reloads, and goes on from its key file', async () => {
    const { page } = two;
    await page.goto(`${base}/committee`);
    await signIn(page, 'kiemphieu2');
    await page.locator(`[data-committee-id="${committeeId}"]`).getByRole('button', { name: 'Mở' }).click();
    await page.getByLabel('Cụm mật khẩu mới cho tệp khóa').fill(PASSPHRASES.kiemphieu2);
    await page.getByLabel('Nhập lại cụm mật khẩu').fill(PASSPHRASES.kiemphieu2);
    files.twoCeremony = await downloadBy(page, page.getByRole('button', { name: 'Tạo bí mật, tải tệp khóa và tham gia' }), 'two-ceremony.json');
    await page.locator('.ceremony-progress tr[data-position="2"] td').first().filter({ hasText: 'Xong' }).waitFor();
    await page.reload();
    await page.locator(`[data-committee-id="${committeeId}"]`).getByRole('button', { name: 'Mở' }).click();
    await page.getByRole('heading', { name: 'Mở tệp khóa' }).waitFor();
    check(!(await page.getByRole('button', { name: 'Tạo bí mật, tải tệp khóa và tham gia' }).isVisible()), 'no second join offered');
    await openKeyFile(page, files.twoCeremony, 'sai cum mat khau');
    await page.getByRole('alert').filter({ hasText: 'Cụm mật khẩu không mở được tệp này' }).waitFor();
    await openKeyFile(page, files.twoCeremony, PASSPHRASES.kiemphieu2);
    await page.locator('.ceremony-status').waitFor();
    await shot(page, 'committee-page-waiting.png', { fullPage: true });
  });

  let ceremony;
  await step('member 3 takes part with `tinnhiem committee ceremony`; the key is made', async () => {
    files.three = path.join(dir, 'three.json');
    ceremony = await toolLines(
      ['committee', 'ceremony', '--server', base, '--username', 'kiemphieu3', '--committee', committeeId, '--share-file', files.three],
      [PASSWORD, PASSPHRASES.kiemphieu3],
    );
    equal(ceremony.code, 0, `the tool's exit (${ceremony.stderr})`);
    const c = await call('GET', `/committees/${committeeId}`, tokens.kiemphieu1);
    equal(c.body.state, 'ready', 'committee state (API)');
  });

  let fingerprint;
  await step('every member sees the same fingerprint: both pages, the tool, the server', async () => {
    const c = (await call('GET', `/committees/${committeeId}`, tokens.kiemphieu1)).body;
    const a = await fingerprintOn(one.page);
    const b = await fingerprintOn(two.page);
    fingerprint = c.ceremony_hash.slice(0, 16).match(/.{4}/g).join(' ');
    equal(a, { text: fingerprint, hash: c.ceremony_hash }, 'member 1');
    equal(b, { text: fingerprint, hash: c.ceremony_hash }, 'member 2');
    check(ceremony.stderr.includes(`Ceremony fingerprint: ${fingerprint}`), `the tool prints ${fingerprint}`);
    for (const { page } of [one, two]) {
      await page.locator('.ceremony-progress td[data-done="false"]').first().waitFor({ state: 'detached' });
      await page.locator('[data-status="cm_status_ready"]').waitFor();
    }
    const size = await one.page.locator('.fingerprint').evaluate((n) => parseFloat(getComputedStyle(n).fontSize));
    check(size >= 32, `the fingerprint is large (${size}px)`);
    await accessible(one.page, 'the fingerprint');
    await shot(one.page, 'committee-page-fingerprint.png', { fullPage: true });
  });

  await step('each page member downloads the key file holding only the share', async () => {
    for (const [{ page }, name] of [[one, 'one-share.json'], [two, 'two-share.json']]) {
      const notice = page.locator('main .notice').filter({ hasText: 'Phần khóa của bạn đã có.' });
      await notice.waitFor();
      files[name] = await downloadBy(page, page.getByRole('button', { name: 'Tải tệp khóa' }), name);
      await notice.waitFor({ state: 'detached' });
    }
  });

  await step(`the vote opens; ${CAST_COUNT} delegates cast: four with \`tinnhiem cast --fingerprint\`, the others through the API`, async () => {
    const opened = await call('POST', `/votes/${vote.id}/open`, tokens.chutoa);
    equal(opened.status, 200, `open ${JSON.stringify(opened.body)}`);
    for (const [username, marks] of Object.entries(CASTS)) {
      const args = ['cast', '--server', base, '--username', username, '--vote', vote.id, '--fingerprint', fingerprint];
      for (const m of marks) args.push('--mark', m);
      const out = await toolLines(args, [PASSWORD]);
      equal(out.code, 0, `${username} casts (${out.stderr})`);
    }
    for (const username of EXTRA) {
      const shown = await call('GET', `/votes/${vote.id}/ballot`, tokens[username]);
      equal(shown.status, 200, `${username}'s ballot`);
      const e = shown.body.encryption;
      const { bytes } = B.encryptBallot({
        key: B.jointKey(B.fromHex(e.joint_key)),
        manifestHash: B.fromHex(e.manifest_hash),
        ballotId: B.fromHex(e.ballot_id),
        choices: e.choices,
        marks: marksOf(username),
        draw: B.osRandom(),
      });
      const cast = await call('POST', `/votes/${vote.id}/ballot`, tokens[username], {
        encrypted: { ballot_id: e.ballot_id, ballot: Buffer.from(bytes).toString('base64') },
      });
      equal(cast.status, 201, `${username} casts ${JSON.stringify(cast.body)}`);
    }
    equal((await call('GET', `/votes/${vote.id}`, tokens.chutoa)).body.ballots_cast, CAST_COUNT, 'ballots cast');
    const closed = await call('POST', `/votes/${vote.id}/close`, tokens.chutoa);
    equal(closed.status, 200, `close ${JSON.stringify(closed.body)}`);
  });

  await step("the command-line tool reads a key file the page wrote: member 2's share, the same key and fingerprint", async () => {
    const out = await toolLines(
      ['committee', 'ceremony', '--server', base, '--username', 'kiemphieu2', '--committee', committeeId, '--share-file', files['two-share.json']],
      [PASSWORD, PASSPHRASES.kiemphieu2],
    );
    equal(out.code, 0, `the tool's exit (${out.stderr})`);
    check(out.stderr.includes(`Ceremony fingerprint: ${fingerprint}`), `the tool prints ${fingerprint} from the page's file: ${out.stderr}`);
    check(out.stderr.includes("The committee's key is made"), 'the tool finds the key made');
  });

  await step("the page reads a key file the command-line tool wrote (member 3's: another member's, it says)", async () => {
    const { page } = two;
    await page.reload();
    await page.locator(`[data-committee-id="${committeeId}"]`).getByRole('button', { name: 'Mở' }).click();
    await openKeyFile(page, files.three, PASSPHRASES.kiemphieu3);
    await page.getByRole('alert').filter({ hasText: 'Tệp này thuộc Ban kiểm phiếu khác hoặc vị trí khác.' }).waitFor();
    await openKeyFile(page, files.three, 'sai cum mat khau');
    await page.getByRole('alert').filter({ hasText: 'Cụm mật khẩu không mở được tệp này' }).waitFor();
  });

  let verifyMs;
  let workers;
  await step('member 1: reloads, opens its share file, checks every ballot in the worker, decrypts the sums', async () => {
    const { page } = one;
    await page.reload();
    await page.locator(`[data-committee-id="${committeeId}"]`).getByRole('button', { name: 'Mở' }).click();
    const card = page.locator(`article.vote[data-vote-id="${vote.id}"]`);
    await card.getByText('Mở tệp khóa của bạn để giải mã.').waitFor();
    await card.getByText('Giải mã kết quả: 0/2').waitFor();
    await shot(page, 'committee-page-closed.png', { fullPage: true });
    await openKeyFile(page, files['one-share.json'], PASSPHRASES.kiemphieu1);
    await card.getByRole('button', { name: 'Kiểm tra mọi phiếu và giải mã tổng số' }).click();
    await card.locator('.sent').waitFor({ timeout: 120_000 });
    const checkedAll = card.locator('.checked-all');
    verifyMs = Number(await checkedAll.getAttribute('data-ms'));
    equal(await checkedAll.getAttribute('data-ballots'), String(CAST_COUNT), 'ballots checked');
    workers = await checkedAll.getAttribute('data-workers');
    await card.getByText('Giải mã kết quả: 1/2').waitFor();
    const b = await call('GET', `/votes/${vote.id}/ballots?limit=1`, tokens.kiemphieu1);
    equal(b.body.decrypted_by, [1], 'decrypted by (API)');
    await accessible(page, 'the decryption sent');
    await shot(page, 'committee-page-decrypted.png', { fullPage: true });
  });

  await step('member 3 decrypts with `tinnhiem committee decrypt`; the tally is published', async () => {
    const out = await toolLines(
      ['committee', 'decrypt', '--server', base, '--username', 'kiemphieu3', '--vote', vote.id, '--share-file', files.three],
      [PASSWORD, PASSPHRASES.kiemphieu3],
    );
    equal(out.code, 0, `the tool's exit (${out.stderr})`);
    const tally = await call('GET', `/votes/${vote.id}/tally`, tokens.chutoa);
    equal(tally.status, 200, 'tally published');
    equal(tally.body.ballots_cast, CAST_COUNT, 'ballots cast in the tally');
    equal(tally.body.results.map((r) => r.counts), expectedCounts(), 'counts');
    const card = one.page.locator(`article.vote[data-vote-id="${vote.id}"]`);
    await card.locator('[data-published="true"]').waitFor();
    await shot(one.page, 'committee-page-published.png', { fullPage: true });
  });

  await step("no secret left the members' devices: not in any request, not in the browsers' storage", async () => {
    const secrets = Object.values(PASSPHRASES).slice(0, 2);
    for (const [file, passphrase] of [
      [files.oneCeremony, PASSPHRASES.kiemphieu1],
      [files.twoCeremony, PASSPHRASES.kiemphieu2],
      [files['one-share.json'], PASSPHRASES.kiemphieu1],
      [files['two-share.json'], PASSPHRASES.kiemphieu2],
    ]) {
      const state = await openShareFile(readFileSync(file, 'utf8'), passphrase);
      secrets.push(...[state.sealing_secret, ...(state.coefficients || []), state.share].filter(Boolean));
    }
    equal(secrets.length, 2 + 2 * (1 + 2) + 2, 'secrets read back from the key files');
    check(requests.length > 50, `requests recorded: ${requests.length}`);
    for (const { url, body } of requests) {
      for (const secret of secrets) check(!url.includes(secret) && !body.includes(secret), `a secret in a request to ${url}`);
    }
    for (const { page } of [one, two]) {
      const stored = await page.evaluate(() => JSON.stringify([{ ...localStorage }, { ...sessionStorage }]));
      for (const secret of secrets) check(!stored.includes(secret), 'a secret in the browser storage');
    }
  });

  await step('the page in English; no script error and no refused resource on any page', async () => {
    await one.page.getByRole('button', { name: 'Switch to English' }).click();
    await one.page.getByRole('heading', { name: 'Counting committee', level: 1 }).waitFor();
    await one.page.getByText('The tally is published.').waitFor();
    equal(pageErrors, [], 'errors in the pages');
  });

  console.log(`# axe-core found no violation on: ${axeChecked.join('; ')}`);
  const perBallot = verifyMs / CAST_COUNT;
  console.log(
    `time the page checked ${CAST_COUNT} ballots of ${SUBJECTS.length} subjects × 3 choices in ${verifyMs} ms ` +
      `(Chromium, ${workers} worker(s), download included; ${perBallot.toFixed(0)} ms a ballot, ` +
      `about ${((perBallot * 500) / 1000).toFixed(0)} s for 500; not asserted)`,
  );
}

await runSteps(run, () => browser);
