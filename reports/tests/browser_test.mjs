// Browser test of the HTML report: generates a report from a fixture results directory, opens it
// from disk in headless Chromium and checks that the matrix rows and the inline SVG charts
// render, that nothing is fetched from the network and that a failure message's markup stays
// text. Saves a full-page screenshot.
//
//   node reports/tests/browser_test.mjs [--python python3] [--fixture DIR] [--catalogue FILE]
//                                       [--out DIR] [--screenshot FILE]
// Environment: HC_CHROMIUM (default /usr/bin/chromium), HC_REPORT_SCREENSHOT (screenshot path).
import fs from 'node:fs';
import path from 'node:path';
import { arg, check, finish, here, makeReport, scratch, screenshot, withPages } from './browser.mjs';

const python = arg('python', 'python3');
const fixture = path.resolve(arg('fixture', path.join(here, 'data', 'full')));
const catalogue = path.resolve(arg('catalogue', path.join(here, 'data', 'catalogue.json')));
const outDir = path.resolve(arg('out', path.join(scratch, 'report')));
const shot = path.resolve(arg('screenshot', process.env.HC_REPORT_SCREENSHOT || path.join(scratch, 'screenshot.png')));

makeReport(python, ['--results', fixture, '--catalogue', catalogue, '--out', outDir]);
const results = JSON.parse(fs.readFileSync(path.join(outDir, 'results.json'), 'utf8'));

await withPages([path.join(outDir, 'index.html')], async (page) => {
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
      const marks = all.nth(i).locator(inner);
      let drawn = 0;
      for (let j = 0; j < await marks.count(); j++) {
        const b = await marks.nth(j).boundingBox();
        if (b && b.width > 0 && b.height > 0) drawn++;
      }
      check(box && box.width > 100 && box.height > 10 && drawn > 0,
            `${selector}[${i}] ${box ? `${Math.round(box.width)}x${Math.round(box.height)}` : 'absent'}, ${drawn} visible ${inner}`);
    }
  }
  await charts('#unsafe svg.chart-bars', 2, 'rect.bar');
  await charts('#connlimit svg.chart-timeline', 1, 'path.step');
  check(await page.locator('#connlimit svg line.limit').count() >= 1, 'documented limit drawn as a line');
  const firstTimeline = await page.locator('#connlimit svg').first().textContent();
  check(firstTimeline.includes('documented limit'), 'documented limit labelled');
  check(firstTimeline.includes('observed peak'), 'observed peak annotated');
  const crashBar = page.locator('#unsafe svg.chart-bars rect.bar.o-crash').first();
  check(await crashBar.evaluate((e) => getComputedStyle(e).fill) === 'rgb(207, 34, 46)',
        'outcome bars coloured by the inlined stylesheet (a crash is red)');
  check(await page.locator('#cache table.cache th').count() >= 3, 'cache modes side by side');

  // Binaries: abnormal exits are flagged and their log tails shown.
  for (const s of results.suites.filter((x) => ['crashed', 'hung'].includes(x.status))) {
    const row = page.locator(`tr[data-status="${s.status}"]`, { hasText: s.name });
    check(await row.count() === 1 && (await row.textContent()).includes(s.status),
          `binary ${s.name} flagged "${s.status_text}"`);
  }
  check(await page.locator('tr.logtail pre').count() >= 1, 'log tail shown for abnormal binaries');

  // Escaping: a failure message's markup is text, not elements.
  check(await page.locator('script, #tests html').count() === 0, 'no markup injected from failure messages');
  const fails = page.locator('#tests pre.fail', { hasText: "<script>alert('x')</script>" });
  check(await fails.count() >= 1, 'failure message with <script> shown as text');

  await screenshot(page, shot);
});
finish(`report in ${outDir}, screenshot ${shot}`);
