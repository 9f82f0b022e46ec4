/**
 * The sweep table in headless Chromium on a real run: the engine fine-tunes
 * a head over synthetic features for 3 dropout rates x 2 seeds, the
 * dashboard (`main.ts`, with the real task registry) serves the run page,
 * and the browser sorts the table by test accuracy, filters it by dropout,
 * hides a column and redraws the chart - each in place, each kept in the URL
 * so a reload shows the same view. A second run with another learning rate
 * is compared with the first from the runs page. Screenshots in tests/output/.
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import {
  hasChromium,
  launch,
  linesOf,
  OUTPUT,
  spawnDeno,
  waitForLine,
} from "../../packages/dashboard/_browser.ts";
import { writeSyntheticFeatures } from "../../tasks/_testing/fixtures.ts";

function pipeline(features: string): string {
  return `name: sweep_demo
params:
  lr: 0.01
stages:
  train:
    task: finetune
    matrix:
      dropout: [0, 0.5, 0.9]
      seed: [0, 1]
    with:
      features: ${features}
      test_domains: [sketch]
      dropout: \${{ matrix.dropout }}
      seed: \${{ matrix.seed }}
      steps: 40
      eval_every: 20
      batch_size: 16
      lr: \${{ params.lr }}
`;
}

async function run(args: string[]): Promise<void> {
  const child = spawnDeno(args);
  const out = await new Response(child.stdout).text();
  assert.equal((await child.status).code, 0, out);
}

/** The stage ids of the shown rows, top to bottom. */
async function shownRows(page: Page): Promise<string[]> {
  const ids = await page.locator("#sweep-table tbody tr:not([hidden])").evaluateAll((rows) =>
    rows.map((row) => row.getAttribute("data-stage") ?? "")
  );
  return ids;
}

/** A column's cells in the shown rows (cells carry no key: found by the heading's position). */
async function cells(page: Page, key: string) {
  const index = await page.locator("#sweep-table thead th").evaluateAll(
    (headers, key) => headers.findIndex((th) => th.getAttribute("data-column") === key),
    key,
  );
  return page.locator(`#sweep-table tbody tr:not([hidden]) td:nth-child(${index + 1})`);
}

async function column(page: Page, key: string): Promise<string[]> {
  return await (await cells(page, key)).allTextContents();
}

async function sortAndFilter(page: Page, base: string, runId: string): Promise<void> {
  await page.goto(`${base}/runs/${runId}`);
  assert.equal((await shownRows(page)).length, 6);
  await page.evaluate("window.sameDocument = true");
  // A metric sorts best first.
  await page.locator('#sweep-table th[data-column="h:test_acc"] a').click();
  const accuracies = (await column(page, "h:test_acc")).map(Number);
  assert.equal(accuracies.length, 6);
  assert.deepEqual(accuracies, [...accuracies].sort((a, b) => b - a));
  assert.match(page.url(), /sort=h%3Atest_acc&order=desc/);
  // Filtering by an axis keeps the sort.
  await page.locator('select[data-param="f.dropout"]').selectOption("0.9");
  const shown = await shownRows(page);
  assert.equal(shown.length, 2);
  assert.ok(shown.every((id) => id.includes("dropout=0.9")), shown.join(" "));
  assert.equal(await page.locator("#sweep-count b").textContent(), "2");
  const filtered = (await column(page, "h:test_acc")).map(Number);
  assert.ok(filtered[0]! >= filtered[1]!);
  // Sorting again reverses; a value link filters by its axis too.
  await page.locator('#sweep-table th[data-column="h:test_acc"] a').click();
  assert.ok((await column(page, "h:test_acc")).map(Number)[0]! <= filtered[1]!);
  await (await cells(page, "m:seed")).filter({ hasText: "1" }).click();
  assert.deepEqual(await shownRows(page), ["train[dropout=0.9,seed=1]"]);
  // Hiding a column; the chart follows the filters without a reload.
  await page.locator("details.columns summary").click();
  await page.locator('input[data-column="duration"]').uncheck();
  assert.equal(await page.locator('#sweep-table th[data-column="duration"]').isHidden(), true);
  await page.locator('select[data-param="f.seed"]').selectOption("");
  await page.locator('select[data-param="metric"]').selectOption("test_acc");
  await page.locator('svg.sweep-chart[aria-label="test_acc against dropout"]').waitFor();
  assert.equal(await page.locator("svg.sweep-chart circle.value").count(), 2);
  assert.equal(await page.evaluate("window.sameDocument"), true);
  // The URL holds the whole view: a reload renders the same rows on the server.
  const before = await shownRows(page);
  await page.reload();
  assert.deepEqual(await shownRows(page), before);
  assert.equal(await page.locator('#sweep-table th[data-column="duration"]').isHidden(), true);
  await page.screenshot({ path: `${OUTPUT}/dashboard_sweep.png`, fullPage: true });
  // The row links to its stage page.
  await page.locator(`#sweep-table tr:not([hidden]) a[href*="stages/train"]`).first().click();
  await page.locator("#stage h1").waitFor();
  assert.match(await page.locator("#log").textContent() ?? "", /Selected step \d+/);
}

/** Ticking both runs on the runs page leads to their comparison: the learning rate changed. */
async function compareRuns(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  const boxes = page.locator("input[data-compare]");
  assert.equal(await boxes.count(), 2);
  assert.equal(await page.locator("#compare-link").getAttribute("href"), null);
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.locator("#compare-link").click();
  await page.locator("#param-diff").waitFor();
  const cells = await page.locator("#param-diff tbody tr").first().locator("td").allTextContents();
  assert.deepEqual(cells.slice(0, 3), ["lr", "0.01", "0.02"]);
  assert.equal(await page.locator("#reran tbody tr").count(), 6);
  await page.screenshot({ path: `${OUTPUT}/dashboard_compare.png`, fullPage: true });
}

Deno.test({
  name: "sweep table of a real run sorts, filters and picks columns in Chromium",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "dropline-sweep-e2e-" });
    const cacheDir = `${dir}/cache`;
    await Deno.mkdir(OUTPUT, { recursive: true });
    const features = await writeSyntheticFeatures({ perDomain: 40 });
    await Deno.writeTextFile(`${dir}/sweep.yaml`, pipeline(features));
    const sweep = ["packages/cli/main.ts", "run", `${dir}/sweep.yaml`, "--cache-dir", cacheDir];
    await run(sweep);
    // A second run with another learning rate re-runs every expansion: the compare page's case.
    await run([...sweep, "--set", "params.lr=0.02"]);
    const dashboard = spawnDeno([
      "packages/dashboard/main.ts",
      "--cache-dir",
      cacheDir,
      "--port",
      "0",
    ]);
    let browser: Browser | undefined;
    try {
      const [, base] = await waitForLine(
        linesOf(dashboard.stdout),
        /Listening on (http:\/\/127\.0\.0\.1:\d+)\//,
      );
      const runs = await (await fetch(`${base}/api/runs`)).json();
      browser = await launch();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.setDefaultTimeout(20_000);
      await sortAndFilter(page, base!, runs.runs[0].id);
      await compareRuns(page, base!);
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      dashboard.kill("SIGTERM");
      await dashboard.status;
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(features, { recursive: true });
    }
  },
});
