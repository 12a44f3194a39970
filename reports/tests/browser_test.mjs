// Browser test of the HTML report: generates a report from a fixture results directory, opens it
// from disk in headless Chromium (Debian's, driven by playwright-core) and checks that the matrix
// rows and the inline SVG charts render, that nothing is fetched from the network and that a
// failure message's markup stays text. Saves a full-page screenshot.
//
//   node reports/tests/browser_test.mjs [--python python3] [--fixture DIR] [--catalogue FILE]
//                                       [--out DIR] [--screenshot FILE]
// Environment: HC_CHROMIUM (default /usr/bin/chromium), HC_REPORT_SCREENSHOT (screenshot path).
// A missing Chromium or playwright-core fails the test with what to install; it never skips.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const reportsDir = path.resolve(here, '..');
const repoRoot = path.resolve(reportsDir, '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const python = arg('python', 'python3');
const fixture = path.resolve(arg('fixture', path.join(here, 'data', 'full')));
const catalogue = path.resolve(arg('catalogue', path.join(here, 'data', 'catalogue.json')));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hc-report-browser-'));
const outDir = path.resolve(arg('out', path.join(scratch, 'report')));
const screenshot = path.resolve(arg('screenshot', process.env.HC_REPORT_SCREENSHOT ||
                                    path.join(scratch, 'screenshot.png')));
const chromiumPath = process.env.HC_CHROMIUM || '/usr/bin/chromium';

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
}
function fatal(message) {
  console.error(`browser_test: FAIL: ${message}`);
  process.exit(1);
}

// Prerequisites: fail, naming what to install.
if (!fs.existsSync(chromiumPath)) {
  fatal(`${chromiumPath} not found: install Debian's chromium (apt-get install chromium, ` +
        `or scripts/bootstrap), or set HC_CHROMIUM to a Chromium binary`);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  fatal(`playwright-core is not installed (${e.code || e.message}): run \`npm ci\` in ${repoRoot} ` +
        `(re-running the CMake configure does it when node_modules is missing)`);
}

// 1. Generate the report.
const gen = spawnSync(python, [path.join(reportsDir, 'make_report.py'), '--results', fixture,
                               '--catalogue', catalogue, '--out', outDir], { encoding: 'utf8' });
if (gen.error || gen.status !== 0) {
  fatal(`make_report.py failed (${gen.error ? gen.error.message : 'exit ' + gen.status}):\n${gen.stdout}${gen.stderr}`);
}
const results = JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8'));
const indexUrl = pathToFileURL(path.join(outDir, 'index.html')).href;

// 2. Open it.
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
  const page = await browser.newPage();
  const requests = [];
  const consoleErrors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(indexUrl, { waitUntil: 'load' });

  check(requests.every((u) => u.startsWith('file:') || u.startsWith('data:')),
        `no network requests (${requests.filter((u) => !u.startsWith('file:')).join(', ') || 'none'})`);
  check(consoleErrors.length === 0, `no console errors (${consoleErrors.join('; ') || 'none'})`);

  // Matrix: one visible row per statement, with the verdict the generator computed.
  const rows = page.locator('table.matrix tbody tr[data-verdict]');
  const nrows = await rows.count();
  check(nrows === results.statements.length,
        `matrix has ${nrows} statement rows, results.json has ${results.statements.length}`);
  for (const s of results.statements) {
    const row = page.locator(`tr#st-${s.id.replace(/[^A-Za-z0-9_.-]+/g, '-')}`);
    const box = await row.boundingBox();
    const verdict = await row.getAttribute('data-verdict');
    check(box && box.height > 0 && box.width > 0 && verdict === s.verdict,
          `row ${s.id}: verdict ${verdict}, ${box ? `${Math.round(box.width)}x${Math.round(box.height)}` : 'not rendered'}`);
  }
  for (const v of ['holds', 'violated', 'known_divergence', 'not_covered', 'not_testable']) {
    check(await page.locator(`table.matrix .badge.v-${v}`).count() > 0, `matrix shows a "${v}" badge`);
  }

  // Charts: every SVG has a non-zero size and draws something.
  async function charts(selector, minimum, inner) {
    const all = page.locator(selector);
    const n = await all.count();
    check(n >= minimum, `${n} ${selector} (expected at least ${minimum})`);
    for (let i = 0; i < n; i++) {
      const box = await all.nth(i).boundingBox();
      const marks = await all.nth(i).locator(inner).count();
      let drawn = 0;
      for (let j = 0; j < marks; j++) {
        const b = await all.nth(i).locator(inner).nth(j).boundingBox();
        if (b && b.width > 0 && b.height > 0) drawn++;
      }
      check(box && box.width > 100 && box.height > 10 && drawn > 0,
            `${selector}[${i}] ${box ? `${Math.round(box.width)}x${Math.round(box.height)}` : 'absent'}, ${drawn} visible ${inner}`);
    }
  }
  await charts('#unsafe svg.chart-bars', 2, 'rect.bar');
  await charts('#connlimit svg.chart-timeline', 1, 'path.step');
  check(await page.locator('#connlimit svg line.limit').count() >= 1, 'documented limit drawn as a line');
  check((await page.locator('#connlimit svg').first().textContent()).includes('documented limit'),
        'documented limit labelled');
  check((await page.locator('#connlimit svg').first().textContent()).includes('observed peak'),
        'observed peak annotated');
  check(await page.locator('#cache table.cache th').count() >= 3, 'cache modes side by side');

  // Binaries: abnormal exits are flagged and their log tails shown.
  for (const s of results.suites.filter((x) => ['crashed', 'hung'].includes(x.status))) {
    const row = page.locator(`tr[data-status="${s.status}"]`, { hasText: s.name });
    check(await row.count() === 1 && (await row.textContent()).includes(s.status),
          `binary ${s.name} flagged "${s.status_text}"`);
  }
  check(await page.locator('tr.logtail pre').count() >= 1, 'log tail shown for abnormal binaries');

  // Escaping: a failure message's markup is text, not elements.
  check(await page.locator('#tests script, #tests html').count() === 0, 'no markup injected from failure messages');
  const fails = page.locator('#tests pre.fail', { hasText: "<script>alert('x')</script>" });
  check(await fails.count() >= 1, 'failure message with <script> shown as text');

  fs.mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  const size = fs.statSync(screenshot).size;
  check(size > 10000, `screenshot ${screenshot} (${size} bytes)`);
} finally {
  await browser.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}

if (failures) {
  console.error(`browser_test: ${failures} check(s) failed; report in ${outDir}`);
  process.exit(1);
}
console.log(`browser_test: all checks passed; report in ${outDir}, screenshot ${screenshot}`);
