/**
 * A 10,000-way fan-in by reference: the consuming stage's script holds 10,000
 * output paths (about 2 MB, far past Linux's 128 KiB limit on one argument)
 * and loops over them, and gets them as a bash array through `env` too.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempProject } from "./_project.ts";

const WIDTH = 10_000;

// The leaves share one command, hence one key: one executes and the others
// reuse its result, which keeps the test fast while the fan-in stays 10,000 wide.
const PIPELINE = `name: fan-in
stages:
  leaf:
    task: shell
    matrix:
      i: [${Array.from({ length: WIDTH }, (_, i) => i).join(", ")}]
    with:
      run: echo leaf > "$OUT/v.txt"
      outputs: [v.txt]
  final:
    task: shell
    with:
      run: |
        n=0
        for d in \${{ stages.leaf.out }}; do [[ -f "$d/v.txt" ]] && n=$((n + 1)); done
        echo "$n \${#DIRS[@]}" > "$OUT/n.txt"
      env:
        DIRS: \${{ stages.leaf.out }}
      outputs: [n.txt]
`;

Deno.test("a stage reading a 10,000-expansion matrix stage runs and sees every output", async () => {
  await using p = await tempProject({ "p.yaml": PIPELINE });
  const cold = await p.run("run", "p.yaml");
  assert.equal(cold.code, 0, cold.stdout + cold.stderr);
  assert.match(cold.stdout, /fan-in: \d+ ran, \d+ cached, 0 failed, 0 skipped/);
  const status = await p.run("status", "p.yaml", "--json");
  const stages = (JSON.parse(status.stdout) as { stages: { id: string; key: string }[] }).stages;
  assert.equal(stages.length, WIDTH + 1);
  const key = stages.at(-1)!.key;
  const n = await Deno.readTextFile(join(p.cache, "objects", key.slice(0, 2), key, "out/n.txt"));
  assert.equal(n, `${WIDTH} ${WIDTH}\n`);
});
