// What the browser tests share: arguments, checks, generating a page with make_report.py, and
// headless Chromium (Debian's, driven by playwright-core) opening a page from disk while
// recording every request and console error. A missing Chromium or playwright-core fails the
// test with what to install; it never skips.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const here = path.dirname(fileURLToPath(import.meta.url));
export const reportsDir = path.resolve(here, '..');
export const repoRoot = path.resolve(reportsDir, '..');
export const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-report-browser-'));

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

let failures = 0;
export function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
export function fatal(message) {
  console.error(`browser_test: FAIL: ${message}`);
  process.exit(1);
}
export function finish(what) {
  if (failures) {
    console.error(`browser_test: ${failures} check(s) failed; ${what}`);
    process.exit(1);
  }
  console.log(`browser_test: all checks passed; ${what}`);
}

// Runs make_report.py with the given arguments; fails the test when it does not exit 0.
export function makeReport(python, args) {
  const gen = spawnSync(python, [path.join(reportsDir, 'make_report.py'), ...args], { encoding: 'utf8' });
  if (gen.error || gen.status !== 0) {
    fatal(`make_report.py failed (${gen.error ? gen.error.message : 'exit ' + gen.status}):\n${gen.stdout}${gen.stderr}`);
  }
  return gen.stdout;
}

// Opens each page in turn: visit(page, url) does the checks. No page may fetch from the network
// or log an error.
export async function withPages(files, visit) {
  const chromiumPath = process.env.HC_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) {
    fatal(`${chromiumPath} not found: install Debian's chromium (apt-get install chromium, ` +
          `or scripts/bootstrap), or set HC_CHROMIUM to a Chromium binary`);
  }
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    fatal(`playwright-core is not installed (${e.code || e.message}): run \`npm ci\` in ${repoRoot} ` +
          `(or scripts/bootstrap)`);
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-report-chromium-'));
  // A fresh --user-data-dir: playwright passes it for a persistent context.
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1360, height: 900 },
  });
  try {
    for (const file of files) {
      const page = await browser.newPage();
      const requests = [];
      const errors = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' });
      await visit(page, url);
      const remote = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'));
      check(remote.length === 0, `${path.basename(file)}: no network requests (${remote.join(', ') || 'none'})`);
      check(errors.length === 0, `${path.basename(file)}: no console errors (${errors.join('; ') || 'none'})`);
      await page.close();
    }
  } finally {
    await browser.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

export async function screenshot(page, file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  const size = fs.statSync(file).size;
  check(size > 10000, `screenshot ${file} (${size} bytes)`);
}
