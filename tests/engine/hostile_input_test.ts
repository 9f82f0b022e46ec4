/**
 * Malformed and hostile pipelines through the CLI, as a user runs it: exit
 * code 2, every problem at once with file:line:column, stage and field, no
 * stack trace, nothing started and nothing written to the cache.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempProject } from "./_project.ts";

interface HostileCase {
  name: string;
  /** The pipeline `p.yaml`, as text or raw bytes. */
  file: string | Uint8Array;
  args?: string[];
  env?: Record<string, string>;
  /** Every line printed on stderr, in order. */
  expect: string[];
}

const laughs = [
  "name: laughs",
  'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [${Array(10).fill(`*l${i}`)}]`),
  "stages:",
  "  a: {task: shell, with: {run: *l9}}",
].join("\n");

const CASES: HostileCase[] = [
  {
    name: "an unclosed ${{ in run and in outputs",
    file: `name: u
params: { n: 1 }
stages:
  a:
    task: shell
    with:
      run: echo \${{ params.n > "$OUT/x"
      outputs: ["\${{ params.n"]
`,
    expect: [
      'p.yaml:7:12: stage "a", field "with.run": Unclosed `${{`: expected `}}` (script line 1, column 6)',
      'p.yaml:8:17: stage "a", field "with.outputs.0": Unclosed `${{`: expected `}}` on the same line',
    ],
  },
  {
    name: "a billion laughs",
    file: laughs,
    expect: [
      'p.yaml:13:32: The document holds 23,456,790,143 values (aliases expanded; "*l9" alone expands to 11,111,111,111), more than the limit of 1,000,000; set DROPLINE_MAX_YAML_NODES to raise it',
    ],
  },
  {
    name: "an undefined alias",
    file: "name: a\nstages:\n  a: {task: shell, with: {run: *nope}}\n",
    expect: ['p.yaml:3:32: Unknown alias "*nope": define the anchor "&nope" before it'],
  },
  {
    name: "a typo in an exclude axis",
    file: `name: x
stages:
  a:
    task: shell
    matrix: { seed: [0, 1] }
    exclude: [{ sed: 1 }]
    with: { run: "echo \${{ matrix.seed }}" }
`,
    expect: [
      'p.yaml:6:22: stage "a", field "exclude.0.sed": Unknown matrix axis "sed" (did you mean "seed"?); the axes are seed',
    ],
  },
  {
    name: "bytes that are not UTF-8",
    file: new Uint8Array([
      ...new TextEncoder().encode("name: bad\nstages:\n  a: {task: shell, with: {run: echo "),
      0xfe,
      ...new TextEncoder().encode("}}\n"),
    ]),
    expect: ["p.yaml:3:37: Invalid UTF-8 (byte 0xfe): save the file as UTF-8"],
  },
  {
    name: "a top-level typo beside stage errors",
    file: `name: t
stges: {}
stages:
  a: { task: shell, with: { run: "echo \${{ params.nope }}", ouputs: [] } }
`,
    expect: [
      'p.yaml:2:1: field "stges": Unknown key "stges" (did you mean "stages"?); expected one of name, description, executor, params, resources, stages',
      'p.yaml:4:34: stage "a", field "with.run": Unknown param "nope"',
      'p.yaml:4:61: stage "a", field "with.ouputs": Unknown parameter "ouputs" (did you mean "outputs"?); expected one of run, outputs, inputs, env',
    ],
  },
  {
    name: "an unknown task beside a cycle",
    file: `name: c
stages:
  a: { task: shel, with: { run: "true" } }
  b: { task: shell, needs: [c], with: { run: "true" } }
  c: { task: shell, needs: [b], with: { run: "true" } }
`,
    expect: [
      'p.yaml:3:14: stage "a", field "task": Unknown task "shel" (did you mean "shell"?); available: shell, download, image_folder, mnist_domains, pretrain, backbone, extract_features, finetune, average, evaluate, report',
      'p.yaml:5:3: stage "c": Cycle between stages: c -> b -> c',
    ],
  },
  {
    name: "several bad references in one field",
    file: `name: r
params: { n: 1 }
stages:
  a:
    task: shell
    matrix: { i: [0, 1, 2] }
    with: { run: "echo \${{ params.x }} \${{ stages.q.out }} \${{ matrix.k }} \${{ bogus }}" }
`,
    expect: [
      'p.yaml:7:18: stage "a", field "with.run": Unknown stage "q" (did you mean "a"?)',
      'p.yaml:7:18: stage "a", field "with.run": Unknown param "x" (did you mean "n"?)',
      'p.yaml:7:18: stage "a", field "with.run": Unknown matrix key "k" (did you mean "i"?)',
      'p.yaml:7:18: stage "a", field "with.run": Cannot interpret "${{ bogus }}": expected params.<name>, matrix.<key> or stages.<stage>.out',
    ],
  },
  {
    name: "a matrix of 10^7 expansions",
    file: `name: big
stages:
  a:
    task: shell
    matrix: { a: [0,1,2,3,4,5,6,7,8,9], b: [0,1,2,3,4,5,6,7,8,9], c: [0,1,2,3,4,5,6,7,8,9],
              d: [0,1,2,3,4,5,6,7,8,9], e: [0,1,2,3,4,5,6,7,8,9], f: [0,1,2,3,4,5,6,7,8,9],
              g: [0,1,2,3,4,5,6,7,8,9] }
    with: { run: "echo \${{ matrix.a }}" }
`,
    expect: [
      'p.yaml:5:13: stage "a", field "matrix": The matrix expands to 10,000,000 stages, more than the limit of 50,000 per stage; set DROPLINE_MAX_STAGE_EXPANSIONS to raise it',
    ],
  },
  {
    name: "too many expansions in all",
    file: `name: many
stages:
  a: { task: shell, matrix: { i: [1, 2, 3] }, with: { run: "echo \${{ matrix.i }}" } }
  b: { task: shell, matrix: { i: [1, 2, 3] }, with: { run: "echo \${{ matrix.i }}" } }
`,
    env: { DROPLINE_MAX_PIPELINE_EXPANSIONS: "5" },
    expect: [
      'p.yaml:4:29: stage "b", field "matrix": The pipeline expands to more than 5 stages (the limit; this stage adds 3 to 3); set DROPLINE_MAX_PIPELINE_EXPANSIONS to raise it',
    ],
  },
  {
    name: "a non-integer in bash arithmetic, set from the command line",
    file: `name: arith
params: { n: 2 }
stages:
  a: { task: shell, with: { run: 'echo $(( \${{ params.n }} * 2 )) > "$OUT/x"' } }
`,
    args: ["--set", "params.n=a[$(touch pwned)]"],
    expect: [
      'p.yaml:4:34: stage "a", field "with.run": Cannot put "${{ params.n }}" in the script: "a[$(touch pwned)]" contains `name[...$`, which bash would run as a command if it evaluated the value as arithmetic',
    ],
  },
];

for (const c of CASES) {
  Deno.test(`run rejects ${c.name}: exit 2, every problem, nothing written`, async () => {
    await using p = await tempProject({});
    const file = join(p.dir, "p.yaml");
    if (typeof c.file === "string") await Deno.writeTextFile(file, c.file);
    else await Deno.writeFile(file, c.file);
    const result = await run(p.dir, p.cache, ["run", "p.yaml", ...(c.args ?? [])], c.env);
    assert.equal(result.code, 2, result.stderr);
    assert.deepEqual(result.stderr.trimEnd().split("\n"), c.expect);
    assert.equal(result.stdout, "", "nothing started");
    await assert.rejects(() => Deno.stat(p.cache), Deno.errors.NotFound, "no cache written");
    assert.deepEqual([...Deno.readDirSync(p.dir)].map((e) => e.name), ["p.yaml"]);
  });
}

Deno.test("run and status reject a --cache-dir that is a file, without a stack trace", async () => {
  await using p = await tempProject({
    "p.yaml": "name: f\nstages:\n  a: {task: shell, with: {run: 'true'}}\n",
  });
  await Deno.writeTextFile(p.cache, "not a directory");
  const message = (dir: string) =>
    `Cache directory "${dir}" is not a directory (it or a parent is a file): ` +
    `pass --cache-dir a directory, or move the file away\n`;
  for (const command of ["run", "status"]) {
    const result = await p.run(command, "p.yaml");
    assert.equal(result.code, 1, command);
    assert.equal(result.stderr, `${command}: ${message(p.cache)}`);
  }
  const inside = await run(p.dir, join(p.cache, "sub"), ["run", "p.yaml"]);
  assert.equal(inside.code, 1);
  assert.equal(inside.stderr, `run: ${message(join(p.cache, "sub"))}`);
});

async function run(cwd: string, cache: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      new URL("../../packages/cli/main.ts", import.meta.url).pathname,
      ...args,
      "--cache-dir",
      cache,
    ],
    cwd,
    env: { NO_COLOR: "1", ...env },
    stdin: "null",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}
