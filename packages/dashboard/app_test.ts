import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { DEMO, writeDemoCache } from "./_fixture.ts";

async function demoApp(options: { auth?: { user: string; password: string } } = {}) {
  const cacheDir = await Deno.makeTempDir();
  writeDemoCache(cacheDir).close();
  return { cacheDir, app: createApp({ cacheDir, ...options }) };
}

const runPath = `/runs/${DEMO.run}`;

Deno.test("createApp() shows an empty runs page when the journal does not exist yet", async () => {
  const cacheDir = await Deno.makeTempDir();
  const app = createApp({ cacheDir });
  const page = await app.request("/");
  assert.equal(page.status, 200);
  assert.match(await page.text(), /No runs yet/);
  assert.deepEqual(await (await app.request("/api/runs")).json(), { runs: [], hiddenNoopRuns: 0 });
  // Reading never creates the journal.
  assert.equal([...Deno.readDirSync(cacheDir)].length, 0);
});

Deno.test("createApp() answers every method but GET and HEAD with 405", async () => {
  const { app } = await demoApp();
  for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
    for (const path of ["/", "/api/runs", `${runPath}`, "/files/objects/ab/make/n.txt"]) {
      const response = await app.request(path, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get("Allow"), "GET, HEAD");
      await response.body?.cancel();
    }
  }
  const head = await app.request(runPath, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), "");
});

Deno.test("createApp() lists runs newest first with their counts", async () => {
  const { app } = await demoApp();
  const html = await (await app.request("/")).text();
  assert.ok(html.startsWith("<!doctype html>"));
  assert.ok(html.indexOf(DEMO.run) < html.indexOf(DEMO.oldRun));
  assert.match(html, /1 ran/);
  assert.match(html, /1 cached/);
  assert.match(html, /1 failed/);
});

Deno.test("createApp() renders a stage named <script> as text everywhere", async () => {
  const { app } = await demoApp();
  const pages = [
    runPath,
    `${runPath}?expand=*`,
    `${runPath}/stages/${encodeURIComponent(DEMO.evil)}`,
    `${runPath}/stages/make`,
  ];
  for (const path of pages) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    const html = await response.text();
    assert.ok(!html.includes("<script>alert"), `raw script in ${path}`);
    assert.ok(!html.includes("<img src=x"), `raw img in ${path}`);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, path);
    assert.match(response.headers.get("Content-Security-Policy") ?? "", /script-src 'self'/);
  }
});

Deno.test("createApp() sends its security headers, and file routes keep their sandbox", async () => {
  const { app } = await demoApp();
  const page = await app.request("/");
  assert.equal(
    page.headers.get("Content-Security-Policy"),
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
      "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; " +
      "form-action 'none'",
  );
  assert.equal(page.headers.get("X-Content-Type-Options"), "nosniff");
  assert.equal(page.headers.get("Referrer-Policy"), "no-referrer");
  assert.equal(page.headers.get("X-Frame-Options"), "DENY");
  assert.equal(page.headers.get("Strict-Transport-Security"), null);
  const file = await app.request("/files/objects/ab/make/n.txt");
  assert.match(file.headers.get("Content-Security-Policy") ?? "", /^sandbox;/);
  assert.equal(file.headers.get("X-Content-Type-Options"), "nosniff");
});

Deno.test("createApp() shows a 404 page, not a stack trace, for an unknown run or stage", async () => {
  const { app } = await demoApp();
  for (
    const path of [
      "/runs/nope",
      `${runPath}/stages/nope`,
      "/no/such/page",
      `${runPath}/stages/make/report`,
    ]
  ) {
    const response = await app.request(path);
    assert.equal(response.status, 404, path);
    const html = await response.text();
    assert.match(html, /404 Not found/);
    assert.ok(!/\bat .*\.ts:\d+/.test(html), "no stack frames");
  }
  const api = await app.request("/api/runs/nope");
  assert.equal(api.status, 404);
  assert.deepEqual(await api.json(), { error: 'Run "nope" does not exist' });
});

Deno.test("createApp() shows how many of a run's stages are done", async () => {
  const { app } = await demoApp();
  const html = await (await app.request(runPath)).text();
  // make succeeded, report cached, the <script> stage failed; 4 pending.
  assert.match(html, /<span id="run-progress" data-total="7">3 \/ 7 done<\/span>/);
  assert.match(html, /<progress\s+id="run-progress-bar" max="7" value="3">/);
});

Deno.test("createApp() draws matrix expansions collapsed unless expanded", async () => {
  const { app } = await demoApp();
  const collapsed = await (await app.request(runPath)).text();
  assert.match(collapsed, /data-group="sweep"/);
  assert.ok(!collapsed.includes('class="node chip'));
  assert.match(collapsed, /sweep ×3/);
  // Every stage is still in the table.
  for (const id of DEMO.sweep) assert.ok(collapsed.includes(`data-stage="${id}"`));
  const expanded = await (await app.request(`${runPath}?expand=sweep`)).text();
  assert.equal(expanded.split('class="node chip').length - 1, 3);
  assert.match(expanded, /seed=0,rate=0\.9/);
});

Deno.test("createApp() shows a stage's log, outputs, metrics and attempts", async () => {
  const { app } = await demoApp();
  const html = await (await app.request(`${runPath}/stages/make`)).text();
  assert.match(html, /&lt;b&gt;not bold&lt;\/b&gt;/);
  assert.match(html, /href="\/files\/objects\/ab\/make\/sub\/deep\.json\?download=1"/);
  assert.match(html, /7 B/);
  assert.match(html, /"title":"Loss"/);
  assert.match(html, /"title":"Accuracy"/);
  assert.match(html, /acc\/photo/);
  assert.ok(html.includes(DEMO.oldRun), "the older run's attempt is listed");
  assert.match(html, /\/static\/vendor\/uPlot\.iife\.min\.js/);
});

Deno.test("createApp() leaves a dropout rate that is 0 throughout out of a stage's charts", async () => {
  const cacheDir = await Deno.makeTempDir();
  const journal = writeDemoCache(cacheDir);
  journal.addMetrics(DEMO.run, "gather", [{ step: 0, loss: 2, dropout: 0 }, {
    step: 10,
    loss: 1,
    dropout: 0,
  }]);
  journal.close();
  const html = await (await createApp({ cacheDir }).request(`${runPath}/stages/gather`)).text();
  assert.match(html, /"title":"Loss"/);
  assert.ok(!html.includes('"title":"Dropout rate"'));
  assert.match(html, /Not drawn, 0 at every step: dropout\./);
  // The charts' script is a module: it shares its tick labels with the server's charts.
  assert.match(html, /<script type="module" src="\/static\/stage\.js"><\/script>/);
});

Deno.test("createApp() renders a report's markdown safely with its plots", async () => {
  const { app } = await demoApp();
  const run = await (await app.request(runPath)).text();
  assert.match(run, /href="\/runs\/[^"]+\/stages\/report\/report"/);
  const html = await (await app.request(`${runPath}/stages/report/report`)).text();
  assert.match(html, /<table>/);
  assert.match(html, /<td>0\.81<\/td>/);
  assert.match(html, /&lt;script&gt;alert\(2\)/);
  assert.ok(!html.includes("<script>alert"));
  assert.match(html, /<img src="\/files\/objects\/cd\/report\/ood\.svg" alt="curve">/);
  assert.match(html, /<img src="\/files\/objects\/cd\/report\/iid\.svg"/);
});

Deno.test("createApp() requires credentials when given --auth", async () => {
  const { app } = await demoApp({ auth: { user: "ada", password: "pw:1" } });
  const denied = await app.request("/api/runs");
  assert.equal(denied.status, 401);
  await denied.body?.cancel();
  const wrong = await app.request("/", { headers: { Authorization: `Basic ${btoa("ada:nope")}` } });
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();
  const ok = await app.request("/", { headers: { Authorization: `Basic ${btoa("ada:pw:1")}` } });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
});

Deno.test("createApp() serves its scripts and the chart library from node_modules", async () => {
  const { app } = await demoApp();
  for (
    const path of [
      "/static/run.js",
      "/static/stage.js",
      "/static/ticks.js",
      "/static/dashboard.css",
      "/static/vendor/uPlot.iife.min.js",
      "/static/vendor/uPlot.min.css",
    ]
  ) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    assert.ok((await response.arrayBuffer()).byteLength > 100, path);
  }
  assert.equal((await app.request("/static/../app.ts")).status, 404);
  assert.equal((await app.request("/static/ticks.d.ts")).status, 404);
});
