/**
 * End to end in headless Chromium: a real pipeline run by the engine, the
 * dashboard served by `main.ts` on a free loopback port, and a browser that
 * watches stages change state live, follows a log tail and draws a metrics
 * chart. Screenshots go to tests/output/.
 */
import assert from "node:assert/strict";
import { Journal } from "@dropline/engine";
import type { Browser, Page } from "playwright-core";
import { fakeTrainingMetrics } from "./_fixture.ts";
import { hasChromium, launch, linesOf, OUTPUT, spawnDeno, waitForLine } from "./_browser.ts";

function pipeline(dir: string): string {
  return `name: live_demo
stages:
  make:
    task: shell
    with:
      run: echo 3 > "$OUT/n.txt"; echo made
      outputs: [n.txt]
  sweep:
    task: shell
    matrix:
      seed: [0, 1, 2]
    with:
      run: echo \${{ matrix.seed }} $(cat \${{ stages.make.out }}/n.txt) > "$OUT/s.txt"
  gate1:
    task: shell
    needs: [sweep]
    with:
      run: echo waiting 1; while [ ! -f ${dir}/open1 ]; do sleep 0.05; done; echo opened 1 > "$OUT/g.txt"
  gate2:
    task: shell
    needs: [gate1]
    with:
      run: echo waiting 2; while [ ! -f ${dir}/open2 ]; do sleep 0.05; done; echo opened 2; echo done > "$OUT/g.txt"
`;
}

const node = (id: string, state: string) => `svg.dag [data-stage="${id}"].st-${state}`;

async function watchRunPage(page: Page, base: string, runId: string, dir: string) {
  await page.goto(`${base}/runs/${runId}?expand=sweep`);
  await page.waitForSelector(node("gate1", "running"));
  assert.equal(await page.locator(node("gate2", "pending")).count(), 1);
  assert.equal(await page.locator(node("sweep[seed=1]", "succeeded")).count(), 1);
  await page.evaluate("window.sameDocument = true");
  await Deno.writeTextFile(`${dir}/open1`, "");
  // The page changes without a reload: the marker set above survives.
  await page.waitForSelector(node("gate1", "succeeded"));
  await page.waitForSelector(node("gate2", "running"));
  assert.equal(await page.evaluate("window.sameDocument"), true);
  await page.locator("#run-progress", { hasText: "5 / 6 done" }).waitFor();
  assert.equal(
    await page.locator('#stage-table tr[data-stage="gate1"] .badge').textContent(),
    "succeeded",
  );
  // Sorting by state puts the running stage first.
  await page.locator("#stage-table th", { hasText: "State" }).click();
  assert.equal(
    await page.locator("#stage-table tbody tr").first().getAttribute("data-stage"),
    "gate2",
  );
  await page.screenshot({ path: `${OUTPUT}/dashboard_run.png`, fullPage: true });
}

async function followStagePage(page: Page, base: string, runId: string, dir: string) {
  await page.goto(`${base}/runs/${runId}/stages/gate2`);
  await page.locator("#stage-state", { hasText: "running" }).waitFor();
  // Lines appended to the running stage's log appear without a reload.
  const api = await (await fetch(`${base}/api/runs/${runId}/stages/gate2`)).json();
  await Deno.writeTextFile(api.stage.logPath, "line from the test\n", { append: true });
  await page.locator("#log", { hasText: "line from the test" }).waitFor();
  await Deno.writeTextFile(`${dir}/open2`, "");
  await page.locator("#stage-state", { hasText: "succeeded" }).waitFor();
  await page.locator("#log", { hasText: "opened 2" }).waitFor();
}

/** The shell task logs no metrics: write a training curve as a task's metrics logger would. */
function addMetrics(cacheDir: string, runId: string): void {
  const journal = new Journal(cacheDir);
  for (const record of fakeTrainingMetrics(200)) journal.addMetrics(runId, "make", record);
  journal.close();
}

Deno.test({
  name: "dashboard shows a real run live in Chromium: DAG, log tail and metrics charts",
  ignore: !hasChromium,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "dropline-dashboard-e2e-" });
    const cacheDir = `${dir}/cache`;
    await Deno.mkdir(OUTPUT, { recursive: true });
    await Deno.writeTextFile(`${dir}/live.yaml`, pipeline(dir));
    const engine = spawnDeno([
      "packages/cli/main.ts",
      "run",
      `${dir}/live.yaml`,
      "--cache-dir",
      cacheDir,
    ]);
    const dashboard = spawnDeno([
      "packages/dashboard/main.ts",
      "--cache-dir",
      cacheDir,
      "--port",
      "0",
    ]);
    let browser: Browser | undefined;
    try {
      const engineLines = linesOf(engine.stdout);
      await waitForLine(engineLines, /▶ gate1/);
      const [, base] = await waitForLine(
        linesOf(dashboard.stdout),
        /Listening on (http:\/\/127\.0\.0\.1:\d+)\//,
      );
      const runs = await (await fetch(`${base}/api/runs`)).json();
      const runId = runs.runs[0].id as string;
      browser = await launch();
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.setDefaultTimeout(20_000);
      await watchRunPage(page, base!, runId, dir);
      await followStagePage(page, base!, runId, dir);
      await waitForLine(engineLines, /live_demo: .* ran/);
      assert.equal((await engine.status).code, 0);
      addMetrics(cacheDir, runId);
      await page.goto(`${base}/runs/${runId}/stages/make`);
      await page.waitForSelector('.chart[data-chart="Loss"] canvas');
      assert.equal(await page.locator(".chart").count(), 4);
      await page.screenshot({ path: `${OUTPUT}/dashboard_stage.png`, fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
      // Let the engine finish even when an assertion failed early.
      await Deno.writeTextFile(`${dir}/open1`, "");
      await Deno.writeTextFile(`${dir}/open2`, "");
      dashboard.kill("SIGTERM");
      await dashboard.status;
      await engine.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
