import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { metricText } from "./sweep_view.ts";
import { accuracy, SWEEP, SWEEP_TASKS, writeSweepCache } from "./_sweep_fixture.ts";

const app = createApp({ cacheDir: writeSweepCache(await Deno.makeTempDir()), tasks: SWEEP_TASKS });
/** The page with its whitespace collapsed (the formatter indents the templates). */
const page = async (path: string) => {
  const response = await app.request(path);
  const text = await response.text();
  return { status: response.status, html: text.replace(/\s+/g, " ").replace(/>\s+</g, "><") };
};
/** Stage ids of the sweep table's rows as listed, with whether each is shown. */
function tableRows(html: string): Array<[string, boolean]> {
  const table = html.slice(
    html.indexOf('id="sweep-table"'),
    html.indexOf("</table>", html.indexOf('id="sweep-table"')),
  );
  return [...table.matchAll(/<tr data-stage="([^"]+)"[^>]*?( hidden)?>/g)].map((m) => [
    m[1]!,
    m[2] === undefined,
  ]);
}

Deno.test("run page: a sweep table of the expansions with matrix values, varying params and headline metrics", async () => {
  const { html } = await page(`/runs/${SWEEP.b}`);
  const rows = tableRows(html);
  assert.equal(
    rows.length,
    12,
    "one row per train expansion; the data stage has nothing to compare",
  );
  assert.ok(rows.every(([, shown]) => shown));
  for (const key of ["m:method", "m:dropout", "m:seed", "p:lr", "h:val_acc", "h:test_acc"]) {
    assert.match(html, new RegExp(`<th data-column="${key}"`), key);
  }
  // The learning rate varies in run B only (the soup's changed).
  assert.ok(!(await page(`/runs/${SWEEP.a}`)).html.includes('data-column="p:lr"'));
  assert.match(html, new RegExp(`>${accuracy("soup", 0.5, 1, 0.02)}</td>`));
  assert.match(
    html,
    /href="\/runs\/[^"]+\/stages\/train%5Bmethod%3Derm%2Cdropout%3D0%2Cseed%3D0%5D"/,
  );
  assert.match(html, /<script type="module" src="\/static\/sweep\.js"><\/script>/);
  // Every script is a file (the policy allows no inline script).
  assert.ok(!/<script(?![^>]*\b(src|type="application\/json")\b)/.test(html), "no inline script");
});

Deno.test("run page: the query filters by matrix axis, sorts and picks columns without script", async () => {
  const { html } = await page(
    `/runs/${SWEEP.b}?f.dropout=0.9&sort=h:test_acc&order=desc&cols=m:method,m:seed,h:test_acc`,
  );
  const shown = tableRows(html).filter(([, visible]) => visible).map(([id]) => id);
  assert.deepEqual(shown, [
    "train[method=soup,dropout=0.9,seed=1]",
    "train[method=soup,dropout=0.9,seed=0]",
    "train[method=erm,dropout=0.9,seed=1]",
    "train[method=erm,dropout=0.9,seed=0]",
  ]);
  assert.match(html, /<b>4<\/b> of 12 rows/);
  assert.match(html, /<th data-column="h:test_acc" data-kind="metric" aria-sort="descending"/);
  assert.match(html, /<th data-column="h:val_acc" data-kind="metric" hidden/);
  assert.match(html, /<option value="0.9" selected>0.9<\/option>/);
  assert.match(html, /<input type="checkbox" data-column="h:val_acc">/);
});

Deno.test("run page: an unknown axis in the query is a 400 that names the known axes", async () => {
  const { status, html } = await page(`/runs/${SWEEP.b}?f.rate=0.9`);
  assert.equal(status, 400);
  assert.match(html, /Unknown axis &quot;rate&quot;; known: method, dropout, seed/);
});

Deno.test("run page: the chart draws a headline metric against an axis, a line per method", async () => {
  const { html } = await page(`/runs/${SWEEP.b}`);
  assert.match(html, /aria-label="val_acc against dropout"/);
  const chart = await page(
    `/runs/${SWEEP.b}/sweep/chart?metric=test_acc&x=dropout&by=method&f.seed=0`,
  );
  assert.equal(chart.status, 200);
  assert.ok(chart.html.startsWith('<div id="sweep-chart">'));
  assert.match(chart.html, /aria-label="test_acc against dropout"/);
  assert.deepEqual(
    [...chart.html.matchAll(/data-line="([^"]+)"/g)].map((m) => m[1]),
    ["method=erm", "method=soup"],
  );
  // Filtered to seed 0: one value per point.
  assert.equal(chart.html.split('class="value"').length - 1, 6);
  const single = await page(`/runs/${SWEEP.b}/sweep/chart?metric=test_acc&x=seed&by=`);
  assert.equal(single.html.split('class="line"').length - 1, 1);
  assert.equal((await page(`/runs/${SWEEP.b}/sweep/chart?metric=loss`)).status, 400);
});

Deno.test("compare page: the changed learning rate, the accuracies it moved and the stages that re-ran", async () => {
  const { status, html } = await page(`/compare?a=${SWEEP.a}&b=${SWEEP.b}`);
  assert.equal(status, 200);
  const params = html.slice(html.indexOf('id="param-diff"'), html.indexOf('id="metric-diff"'));
  assert.match(params, /<code>lr<\/code><\/td><td><code>0.01<\/code><\/td><td><code>0.02<\/code>/);
  assert.match(params, /train\[method=soup,dropout=0,seed=0\]/);
  assert.ok(!params.includes("method=erm"));
  const metrics = html.slice(html.indexOf('id="metric-diff"'), html.indexOf('id="reran"'));
  assert.equal(metrics.split("<tr>").length - 2, 12, "test and validation accuracy of 6 stages");
  assert.match(metrics, /<td class="num">\+0\.01<\/td>/);
  const reran = html.slice(html.indexOf('id="reran"'));
  assert.equal(reran.split('<span class="badge st-succeeded">').length - 1, 6);
  assert.match(reran, /param &quot;lr&quot; changed: 0\.01 -&gt; 0\.02/);
  assert.ok(!reran.includes(">data<"), "the reused data stage did not re-run");
});

Deno.test("compare page: a missing or unknown run is a clear 400 or 404", async () => {
  assert.equal((await page(`/compare?a=${SWEEP.a}`)).status, 400);
  assert.match(
    (await page(`/compare?a=${SWEEP.a}`)).html,
    /Query parameter &quot;b&quot; must name a run/,
  );
  assert.equal((await page(`/compare?a=${SWEEP.a}&b=nope`)).status, 404);
});

Deno.test("runs page: each run links to a comparison with the previous run of its pipeline", async () => {
  const { html } = await page("/");
  assert.match(html, new RegExp(`href="/compare\\?a=${SWEEP.a}&amp;b=${SWEEP.b}">vs previous`));
  assert.equal(html.split("vs previous").length - 1, 1, "the oldest run has nothing before it");
  assert.equal(html.split("data-compare=").length - 1, 2);
  assert.match(html, /<script type="module" src="\/static\/runs\.js"><\/script>/);
});

Deno.test("stage page: the headline metrics its task declares are the stage's result", async () => {
  const stage = encodeURIComponent("train[method=soup,dropout=0.5,seed=1]");
  const { html } = await page(`/runs/${SWEEP.b}/stages/${stage}`);
  const test = accuracy("soup", 0.5, 1, 0.02);
  assert.match(
    html,
    new RegExp(
      `<dd id="stage-result"><span class="metric">val_acc <b>${metricText(test + 0.1)}</b></span>` +
        `\\s?<span class="metric">test_acc <b>${test}</b></span>`,
    ),
  );
  // A stage whose task declares no headline has no result line.
  assert.ok(!(await page(`/runs/${SWEEP.b}/stages/data`)).html.includes("stage-result"));
});

Deno.test("api: /api/runs/:id/sweep gives the rows the table shows, as the engine reads them", async () => {
  const response = await app.request(`/api/runs/${SWEEP.b}/sweep`);
  assert.equal(response.status, 200);
  const { rows } = await response.json();
  assert.equal(rows.length, 12);
  const row = rows.find((r: { stage: string }) => r.stage === "train[method=erm,dropout=0,seed=0]");
  assert.deepEqual(row.matrix, { method: "erm", dropout: 0, seed: 0 });
  assert.equal(row.state, "cached");
  assert.equal(row.producedBy, SWEEP.a, "a reused result names the run that produced it");
  assert.equal(row.metrics.test_acc, accuracy("erm", 0, 0, 0.01));
});

Deno.test("pages are gzipped for browsers that accept it; the event stream is not", async () => {
  const plain = await (await app.request(`/runs/${SWEEP.b}`)).text();
  const response = await app.request(`/runs/${SWEEP.b}`, {
    headers: { "Accept-Encoding": "gzip" },
  });
  assert.equal(response.headers.get("Content-Encoding"), "gzip");
  const unzipped = response.body!.pipeThrough(new DecompressionStream("gzip"));
  assert.equal(await new Response(unzipped).text(), plain);
  const events = await app.request(`/api/runs/${SWEEP.b}/events`, {
    headers: { "Accept-Encoding": "gzip" },
  });
  assert.equal(events.headers.get("Content-Encoding"), null);
  await events.body?.cancel();
});

Deno.test("run page: sorting the table does not reorder (recolour) the chart's lines", async () => {
  const lines = async (search: string) =>
    [...(await page(`/runs/${SWEEP.b}${search}`)).html.matchAll(/data-line="([^"]+)"/g)]
      .map((m) => m[1]);
  assert.deepEqual(await lines("?sort=m:method&order=desc"), ["method=erm", "method=soup"]);
  assert.deepEqual(await lines(""), ["method=erm", "method=soup"]);
});
