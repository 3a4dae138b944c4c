// What every browser test shares: where the binary, the screenshots and chromium are; the
// steps and their TAP-like report; the real binary started on a free loopback port with a fresh
// SQLite database; the API called as a client would; and the binary's own command-line tools.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '../..');
export const BIN = path.resolve(process.argv[2] || process.env.TINNHIEM_BIN || path.join(root, 'target/debug/tinnhiem'));
export const SCREENS = path.resolve(process.env.TINNHIEM_SCREENS || path.join(root, 'docs/screens'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ADMIN = { username: 'admin', password: 'admin-password-for-tests' };
export const PASSWORD = 'mat-khau-thu-nghiem';

export let passed = 0;
export let failed = 0;

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

export function equal(actual, expected, message) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${message}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

/** Runs one step, reported as `ok N - name (ms)` or `not ok N - name` with the error. */
export async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    passed += 1;
    console.log(`ok ${passed + failed} - ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    failed += 1;
    console.log(`not ok ${passed + failed} - ${name}\n${e.stack || e}`);
    throw e;
  }
}

/** The last line every browser test prints, which .ci/run counts. */
export function summary() {
  console.log(`browser: ${passed} passed, ${failed} failed`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- the server and its API ------------------------------------------------------------

export let server = null;
/** The server's address, e.g. `http://127.0.0.1:40123`, once started. */
export let base = '';
/** The server's working folder: its database, keys, and the tests' files. */
export let dir = '';

export async function startServer(prefix = 'tinnhiem-browser-') {
  dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    BIN,
    ['serve', '--bind', `127.0.0.1:${port}`, '--database', path.join(dir, 'tinnhiem.db'), '--workers', '2'],
    {
      cwd: dir,
      env: {
        ...process.env,
        TINNHIEM_ADMIN_USERNAME: ADMIN.username,
        TINNHIEM_ADMIN_PASSWORD: ADMIN.password,
        TINNHIEM_HASH_THREADS: '2',
        RUST_LOG: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  let exited = null;
  server.on('exit', (code) => {
    exited = code;
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    check(exited === null, `the server exited at start (${exited})`);
    try {
      const res = await fetch(`${base}/api/v1/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    check(Date.now() < deadline, 'the server was not healthy within 60 s');
    await sleep(100);
  }
}

export async function stopServer() {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await Promise.race([new Promise((r) => server.once('exit', r)), sleep(5000)]);
    if (server.exitCode === null) server.kill('SIGKILL');
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Calls the API: `{ status, body, headers }`, the body parsed when it is JSON. */
export async function call(method, p, token, body, type = 'application/json') {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = type;
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers,
    body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

export async function login(username, password = PASSWORD) {
  const r = await call('POST', '/auth/login', null, { username, password });
  equal(r.status, 200, `sign-in of ${username}`);
  return r.body.access_token;
}

/** Runs the binary with `args` in the server's folder, `input` on its standard input, for at
 * most two minutes: `{ code, stdout, stderr }`. */
export function tool(args, input = '') {
  return new Promise((resolve) => {
    const child = spawn(BIN, args, { cwd: dir || undefined, env: { ...process.env, RUST_LOG: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

// ---- the browser ---------------------------------------------------------------------------

/** Headless chromium as every page test starts it: no sandbox (the test runs as root in CI),
 * nothing fetched from elsewhere. */
export function startBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/**
 * Runs a page test's steps (`run`), then closes its browser (`browserOf()`, which may be null)
 * and the server, prints `browser: N passed, M failed` and exits non-zero on any failure.
 */
export async function runSteps(run, browserOf) {
  let code = 0;
  try {
    await run();
  } catch {
    code = 1;
  } finally {
    await browserOf()?.close().catch(() => {});
    await stopServer();
  }
  summary();
  process.exit(code || (failed ? 1 : 0));
}

/** What went wrong inside the pages (script errors, refused resources), for a test's last step. */
export const pageErrors = [];

/**
 * A new browser context and page of `viewport` (Vietnamese), whose script errors and console
 * errors go to `pageErrors` under `label`. A request chromium logs as failed is not an error
 * (the API's refusals a test asks for, a network cut on purpose). `options` go to the context
 * (`hasTouch`, `acceptDownloads`…); `timeout` is each step's.
 */
export async function openPage(browser, viewport, label, { timeout = 15_000, ...options } = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'vi-VN', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  page.on('pageerror', (e) => pageErrors.push(`${label}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource|ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|ERR_FAILED/.test(m.text())) {
      pageErrors.push(`${label}: ${m.text()}`);
    }
  });
  return { context, page };
}

/** What a finger presses: buttons, links, choices, the labels of checkboxes, fields. */
export const TARGETS =
  'main button, main a, main .choice, main label.check, main input:not([type=checkbox]):not([type=radio]), main select, #topbar button, #topbar a';

/** Everything `selector` finds is 48 px or more each way; body text 20 px; nothing wider than
 * the screen. */
export async function checkTargets(page, what, selector = TARGETS) {
  const small = await page.evaluate((sel) => {
    const out = [];
    for (const node of document.querySelectorAll(sel)) {
      const r = node.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (r.height < 48 || r.width < 48) out.push(`${node.tagName}.${node.className} "${node.textContent.slice(0, 30)}" ${r.width}x${r.height}`);
    }
    return out;
  }, selector);
  equal(small, [], `${what}: touch targets under 48 px`);
  const size = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  check(size >= 20, `${what}: body text is ${size}px`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `${what}: the page is ${overflow}px wider than the screen`);
}

/** The error shown under the field `id`, which the field names (aria-describedby) and marks
 * invalid, in a live region. */
export async function fieldError(page, id) {
  const input = page.locator(`#${id}`);
  await page.locator(`[aria-invalid="true"]#${id}`).waitFor();
  const described = (await input.getAttribute('aria-describedby')).split(' ');
  for (const ref of described) {
    const node = page.locator(`#${ref}`);
    const text = (await node.textContent()).trim();
    if (text && (await node.getAttribute('aria-live')) === 'assertive') return text;
  }
  throw new Error(`no error shown for #${id}`);
}

/** A CSV file for a file input. */
export function csvFile(name, lines) {
  return { name, mimeType: 'text/csv', buffer: Buffer.from(`${lines.join('\n')}\n`) };
}

/** A screenshot into SCREENS, with no focus ring and the pointer out of the way. */
export async function shot(page, name, options = {}) {
  await page.evaluate(() => document.activeElement?.blur?.());
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(SCREENS, name), ...options });
}

export async function signIn(page, username, password = PASSWORD) {
  await page.getByLabel('Tên đăng nhập').fill(username);
  await page.getByLabel('Mật khẩu', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

const AXE = readFileSync(path.join(here, 'node_modules/axe-core/axe.min.js'), 'utf8');
/** What `accessible` has checked, for the test's last line. */
export const axeChecked = [];

/** axe-core (WCAG 2 A and AA rules) finds no violation on the page as it is now. */
export async function accessible(page, what) {
  // Evaluated by the browser's debugger protocol: the page's policy, which allows no inline
  // script, does not apply, and the page itself is not changed.
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  equal(found, [], `${what}: axe-core violations`);
  axeChecked.push(what);
}

// ---- the ballot page -----------------------------------------------------------------------

/** Each choice of a rating vote as the ballot page names it. */
export const LABELS = { high: 'Tín nhiệm cao', medium: 'Tín nhiệm', low: 'Tín nhiệm thấp' };

/** The ballot page's rows for a test's subjects ([full name, positions], in ballot order). */
export function ballotRows(subjects) {
  const group = (page, index) =>
    page.getByRole('group', { name: new RegExp(`^${index + 1}\\. ${subjects[index][0]}`) });
  return {
    group,
    async markByTouch(page, marks) {
      for (const [i, mark] of marks.entries()) {
        if (mark) await group(page, i).getByRole('radio', { name: LABELS[mark], exact: true }).click();
      }
    },
    /** Marks with the keyboard only: focus a row's first choice, Space, then arrows. */
    async markByKeyboard(page, marks) {
      const order = ['high', 'medium', 'low'];
      for (const [i, mark] of marks.entries()) {
        if (!mark) continue;
        await group(page, i).getByRole('radio').first().focus();
        await page.keyboard.press('Space');
        for (let k = 0; k < order.indexOf(mark); k += 1) await page.keyboard.press('ArrowRight');
      }
    },
    async reviewedMarks(page) {
      return page.locator('.review-row .review-mark').evaluateAll((nodes) => nodes.map((n) => n.dataset.mark));
    },
  };
}
