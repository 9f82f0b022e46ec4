import assert from "node:assert/strict";
import { CacheLayout } from "@dropline/engine";
import { runHint, setsOf } from "./run_choice.ts";

Deno.test("setsOf() reads both --set spellings of a run's recorded arguments", () => {
  assert.deepEqual(
    setsOf(["p.yaml", "--set", "params.n=5", "--jobs", "2", "--set=params.m=[1,2]", "--set"]),
    ["params.n=5", "params.m=[1,2]"],
  );
  assert.deepEqual(setsOf(["p.yaml"]), []);
});

Deno.test("runHint() names a cache directory other than the default and the --set flags, quoted", () => {
  assert.equal(
    runHint("p.yaml", { sets: ["params.n=5", "params.m=[1, 2]"], cacheDir: "/tmp/a b" }),
    "deno task run p.yaml --set params.n=5 --set 'params.m=[1, 2]' --cache-dir '/tmp/a b'",
  );
  assert.equal(
    runHint("my p.yaml", { cacheDir: "/data/cache" }),
    "deno task run 'my p.yaml' --cache-dir /data/cache",
  );
});

Deno.test("runHint() leaves out the default cache directory", () => {
  assert.equal(runHint("p.yaml", { cacheDir: new CacheLayout().root }), "deno task run p.yaml");
  assert.equal(runHint("p.yaml"), "deno task run p.yaml");
});
