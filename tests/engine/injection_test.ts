/**
 * Shell injection through params, `--set` and matrix values, run as a user
 * would: each value reaches the command intact and no file is created.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempProject } from "./_project.ts";

const PIPELINE = `name: inject
params:
  label: safe
stages:
  show:
    task: shell
    matrix:
      word: ["x; touch matrix_semicolon", "$(touch matrix_substitution)", "a'b\\"c", "\`touch tick\`"]
    with:
      run: |
        echo \${{ params.label }} > "$OUT/out.txt"
        echo "\${{ matrix.word }}" >> "$OUT/out.txt"
        echo '\${{ matrix.word }}' >> "$OUT/out.txt"
        # \${{ params.label }}
        echo "$LABEL" >> "$OUT/out.txt"
      env:
        LABEL: \${{ params.label }}
      outputs: [out.txt]
`;

/** Every file under `dir`, relative, except the cache's own. */
function filesUnder(dir: string, skip: string): string[] {
  const found: string[] = [];
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (path === skip) continue;
    found.push(entry.name);
    if (entry.isDirectory) found.push(...filesUnder(path, skip).map((f) => `${entry.name}/${f}`));
  }
  return found;
}

Deno.test("param, --set and matrix values cannot inject commands into a shell stage", async () => {
  await using p = await tempProject({ "p.yaml": PIPELINE });
  const label = "$(touch set_substitution); touch set_semicolon\ntouch set_newline # 'x\"";
  const result = await p.run("run", "p.yaml", "--set", `params.label=${JSON.stringify(label)}`);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /inject: 4 ran, 0 cached, 0 failed/);
  assert.deepEqual(filesUnder(p.dir, p.cache), ["p.yaml"], "no file was created");
  const outputs = [];
  for (const dir of Deno.readDirSync(join(p.cache, "objects"))) {
    for (const object of Deno.readDirSync(join(p.cache, "objects", dir.name))) {
      outputs.push(
        await Deno.readTextFile(join(p.cache, "objects", dir.name, object.name, "out/out.txt")),
      );
    }
  }
  const words = [
    "x; touch matrix_semicolon",
    "$(touch matrix_substitution)",
    `a'b"c`,
    "`touch tick`",
  ];
  assert.deepEqual(
    outputs.sort(),
    words.map((word) => `${label}\n${word}\n${word}\n${label}\n`).sort(),
  );
});
