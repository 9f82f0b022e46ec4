/**
 * pipelines/demo.yaml, the README's first pipeline, run from a directory and
 * into a cache directory whose paths hold spaces.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { MAIN } from "../engine/_project.ts";

const DEMO = new URL("../../pipelines/demo.yaml", import.meta.url);

Deno.test("pipelines/demo.yaml runs with spaces in the project and cache paths, then is cached", async () => {
  const root = await Deno.makeTempDir({ prefix: "dropline demo " });
  try {
    const project = join(root, "my project");
    const cache = join(root, "a b", "c");
    await Deno.mkdir(project);
    await Deno.copyFile(DEMO, join(project, "demo.yaml"));
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", MAIN, ...args, "--cache-dir", cache],
        cwd: project,
        env: { NO_COLOR: "1" },
      }).output();
      return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
    };
    const cold = await run("run", "demo.yaml");
    assert.equal(cold.code, 0, cold.stdout);
    assert.match(cold.stdout, /demo: 8 ran, 0 cached, 0 failed, 0 skipped/);
    const status = JSON.parse((await run("status", "demo.yaml", "--json")).stdout) as {
      stages: { id: string; key: string; state: string }[];
    };
    const out = (id: string, file: string) => {
      const key = status.stages.find((s) => s.id === id)!.key;
      return Deno.readTextFileSync(join(cache, "objects", key.slice(0, 2), key, "out", file));
    };
    assert.equal(out("double", "d.txt"), "6\n");
    assert.equal(out("gather", "all.txt"), "0 0.5\n0 0.9\n1 0.5\n1 0.9\n2 0.5\n");
    const warm = await run("run", "demo.yaml");
    assert.match(warm.stdout, /demo: 0 ran, 8 cached/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
