// Browser test of the matrix page (make_report.py --compare): opens it from disk in headless
// Chromium and checks that every statement has a row, that differing rows come first, that the
// inline script sorts (catalogue order, by one implementation's verdict, differing first again)
// and filters, that a failure message's markup stays text, and that a cell's link lands on the
// statement in that run's report. Saves a full-page screenshot.
//
//   node reports/tests/browser_matrix_test.mjs [--python python3] [--out DIR] [--screenshot FILE]
// Environment: HC_CHROMIUM (default /usr/bin/chromium).
import fs from 'node:fs';
import path from 'node:path';
import { arg, check, finish, here, makeReport, scratch, screenshot, withPages } from './browser.mjs';

const python = arg('python', 'python3');
const outDir = path.resolve(arg('out', path.join(scratch, 'matrix')));
const shot = path.resolve(arg('screenshot', path.join(scratch, 'matrix-screenshot.png')));
const data = path.join(here, 'data');

// 1. The real Wine 8.0 run against its synthetic edited copy (results.json only, no reports).
const pair = [path.join(data, 'matrix_wine8.json'), path.join(data, 'matrix_synthetic_b.json')];
makeReport(python, ['--compare', ...pair, '--out', path.join(outDir, 'runs')]);
const runs = pair.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')));
const verdicts = runs.map((r) => Object.fromEntries(r.statements.map((s) => [s.id, s.verdict])));
const ids = runs[0].statements.map((s) => s.id);
const differing = ids.filter((id) => verdicts[0][id] !== verdicts[1][id]);

// 2. Two fixture runs with their reports, for the cells' links.
const reports = ['windows', 'full'].map((f) => {
  const out = path.join(outDir, 'reports', f);
  makeReport(python, ['--results', path.join(data, f), '--catalogue', path.join(data, 'catalogue.json'), '--out', out]);
  return out;
});
makeReport(python, ['--compare', ...reports, '--out', path.join(outDir, 'linked')]);

const order = (page) => page.locator('#statement-matrix tbody tr').evaluateAll((rows) =>
  rows.filter((r) => !r.hidden).map((r) => r.dataset.id));

await withPages([path.join(outDir, 'runs', 'index.html')], async (page) => {
  const shown = await order(page);
  check(shown.length === ids.length, `${shown.length} statement rows, ${ids.length} statements`);
  check(differing.length > 0 && shown.slice(0, differing.length).every((id) => differing.includes(id)),
        `the ${differing.length} differing rows come first (${shown.slice(0, differing.length).join(', ')})`);
  check(await page.locator('#ndiff').textContent() === String(differing.length), 'differing count in the header');
  for (const id of differing) {
    const cells = page.locator(`#statement-matrix tr[data-id="${id}"] td.cell`);
    const got = await cells.evaluateAll((tds) => tds.map((td) => td.dataset.verdict));
    check(got.join() === [verdicts[0][id], verdicts[1][id]].join(), `${id}: ${got.join(' / ')}`);
  }
  const heads = await page.locator('#statement-matrix thead th.run').allTextContents();
  check(heads[1].includes('Wine 10.0 (synthetic)') && heads[1].includes('SYNTHETIC'),
        `column heads name the implementation and its provenance (${heads[1].replace(/\s+/g, ' ')})`);

  await page.click('button[data-sort="catalogue"]');
  check((await order(page)).join() === ids.join(), 'catalogue order');
  await page.click('#statement-matrix thead th[data-col="1"]');
  const byB = await order(page);
  check(verdicts[1][byB[0]] === 'violated', `sorted by the second run's verdicts: ${byB[0]} (${verdicts[1][byB[0]]}) first`);
  await page.click('button[data-sort="differs"]');
  check((await order(page)).slice(0, differing.length).every((id) => differing.includes(id)), 'differing first again');
  await page.check('#only-differing');
  check((await order(page)).length === differing.length, 'the filter shows the differing rows only');
  await page.uncheck('#only-differing');

  check(await page.locator('script').count() === 1, 'one script, the page\'s own: failure text is not markup');
  const failure = page.locator('#statement-matrix pre.fail', { hasText: "<script>alert('synthetic')</script>" });
  check(await failure.count() === 1, 'the failure with <script> shown as text in its cell');
  check((await failure.textContent()).includes('ERROR_INTERNET_CONNECTION_ABORTED (12030)'), 'error number named');
  check(await page.locator('#unsafe table.patterns tbody tr').count() >= 5, 'unsafe patterns side by side');
  check(await page.locator('#unsafe svg.chart-strip').count() >= 10, 'outcome strips drawn');
  check(await page.locator('#limits table.limits tbody tr.differs').count() >= 1, 'a differing limit marked');
  await screenshot(page, shot);
});

await withPages([path.join(outDir, 'linked', 'index.html')], async (page) => {
  const link = page.locator('#statement-matrix tr[data-id="G-FAIL"] td.cell').nth(1).locator('a').first();
  const href = await link.getAttribute('href');
  check(href === '../reports/full/index.html#st-G-FAIL', `cell links to the run's report (${href})`);
  await link.click();
  await page.waitForLoadState('load');
  check(page.url().endsWith('/reports/full/index.html#st-G-FAIL') &&
        await page.locator('#st-G-FAIL[data-verdict="violated"]').count() === 1, 'the link lands on the statement');
});
finish(`matrix in ${outDir}, screenshot ${shot}`);
