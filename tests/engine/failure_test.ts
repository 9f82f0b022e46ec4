import assert from "node:assert/strict";
import { fixture, tempProject } from "./_project.ts";

Deno.test("run: fail-fast starts nothing after a failure and exits 1", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("failing.yaml") });
  const result = await p.run("run", "p.yaml", "--jobs", "1");
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual(await p.lines("runs.log"), ["bad"]);
  assert.match(result.stdout, /failing: 0 ran, 0 cached, 1 failed, 4 skipped/);
  assert.match(result.stdout, /✖ bad: Command exited with code 3:\n\s+something broke/);
  assert.match(result.stdout, /log: .*\.log/);
  const db = p.journal();
  try {
    const [run] = db.listRuns();
    const states = db.listStages(run!.id);
    assert.deepEqual(states.map((s) => [s.id, s.state]), [
      ["bad", "failed"],
      ["good_a", "skipped"],
      ["good_b", "skipped"],
      ["after_bad", "skipped"],
      ["missing_output", "skipped"],
    ]);
    assert.equal(states[3]!.reason, 'upstream "bad" failed');
    assert.match(states[1]!.reason, /the run stopped after "bad" failed/);
  } finally {
    db.close();
  }
});

Deno.test("run --keep-going finishes independent stages and skips descendants", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("failing.yaml") });
  const result = await p.run("run", "p.yaml", "--jobs", "1", "--keep-going");
  assert.equal(result.code, 1, result.stderr);
  assert.deepEqual((await p.lines("runs.log")).sort(), [
    "bad",
    "good_a",
    "good_b",
    "missing_output",
  ]);
  assert.match(result.stdout, /failing: 2 ran, 0 cached, 2 failed, 1 skipped/);
  assert.match(
    result.stdout,
    /✖ missing_output: Stage did not produce its declared output "promised\.txt"/,
  );
  // A failure points at its log only when there is one: `missing_output` printed nothing.
  assert.doesNotMatch(result.stdout, /promised\.txt"\n\s+log:/);
  for (const [, log] of result.stdout.matchAll(/log: (\S+)/g)) await Deno.stat(log!);
  assert.match(result.stdout, /- after_bad: upstream "bad" failed/);
  // The failures are not cached: the next run tries them again, and reuses the rest.
  const again = await p.run("run", "p.yaml", "--keep-going");
  assert.match(again.stdout, /failing: 0 ran, 2 cached, 2 failed, 1 skipped/);
  const status = JSON.parse((await p.run("status", "p.yaml", "--json")).stdout);
  const bad = status.stages.find((s: { id: string }) => s.id === "bad");
  assert.equal(bad.state, "failed");
  assert.match(bad.reason, /^last attempt failed: Command exited with code 3/);
});

Deno.test("CLI: bad usage exits 2 with a message and no stack trace", async () => {
  await using p = await tempProject({ "p.yaml": await fixture("counting.yaml") });
  const cases: [string[], RegExp][] = [
    [["run"], /run: expected one pipeline file/],
    [["run", "p.yaml", "--jobs", "0"], /--jobs expects a positive integer, got "0"/],
    [
      ["run", "p.yaml", "--dry-run", "--jobs", "abc"],
      /--jobs expects a positive integer, got "abc"/,
    ],
    [["run", "p.yaml", "--bogus"], /run: Unknown option "--bogus"/],
    [["run", "p.yaml", "--set", "params.nn=1"], /unknown param "nn" \(did you mean "n"\?\)/],
    [["run", "missing.yaml"], /missing\.yaml: Cannot read pipeline: file not found/],
    [["dag", "p.yaml", "--format", "svg"], /--format expects one of text, mermaid, dot, got "svg"/],
    [["why", "p.yaml", "nope"], /why: unknown stage "nope"/],
    [["gc", "p.yaml"], /gc: Unexpected argument "p\.yaml": this command takes only flags/],
    [
      ["frobnicate"],
      /Unknown command "frobnicate"\n\nUsage: deno task <command>(.|\n)*\n {2}exp {6}the sweep table/,
    ],
    [["stauts"], /Unknown command "stauts" \(did you mean "status"\?\)/],
  ];
  for (const [args, message] of cases) {
    const result = await p.run(...args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  }
  await assert.rejects(() => Deno.stat(p.cache), Deno.errors.NotFound);
});

Deno.test("CLI: a bad pipeline exits 2 naming file:line:column and writes nothing", async () => {
  const bad = `name: bad
stages:
  make:
    task: shell
    with:
      run: echo \${{ params.missing }}
      ouputs: [x]
  b:
    task: nope
`;
  await using p = await tempProject({ "bad.yaml": bad });
  for (const command of ["run", "status", "dag"]) {
    const result = await p.run(command, "bad.yaml");
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr,
      'bad.yaml:9:11: stage "b", field "task": Unknown task "nope"; available: ' +
        `${result.stderr.split("available: ")[1]!.trimEnd()}\n`,
    );
  }
  const fixed = bad.replace("task: nope", "task: shell\n    with: { run: 'true' }");
  await Deno.writeTextFile(`${p.dir}/bad.yaml`, fixed);
  const result = await p.run("run", "bad.yaml");
  assert.equal(result.code, 2);
  // A `with` that cannot be rendered is still checked for misspelt parameters.
  assert.equal(
    result.stderr,
    'bad.yaml:6:12: stage "make", field "with.run": Unknown param "missing"\n' +
      'bad.yaml:7:7: stage "make", field "with.ouputs": Unknown parameter "ouputs" ' +
      '(did you mean "outputs"?); expected one of run, outputs, inputs, env\n',
  );
  await Deno.writeTextFile(`${p.dir}/bad.yaml`, fixed.replace("params.missing", "matrix.k"));
  const second = await p.run("run", "bad.yaml");
  assert.equal(second.code, 2);
  assert.equal(
    second.stderr,
    'bad.yaml:6:12: stage "make", field "with.run": Unknown matrix key "k": the stage has no matrix\n' +
      'bad.yaml:7:7: stage "make", field "with.ouputs": Unknown parameter "ouputs" ' +
      '(did you mean "outputs"?); expected one of run, outputs, inputs, env\n',
  );
  await Deno.writeTextFile(`${p.dir}/bad.yaml`, fixed.replace("${{ params.missing }}", "hi"));
  const third = await p.run("run", "bad.yaml");
  assert.equal(third.code, 2);
  assert.equal(
    third.stderr,
    'bad.yaml:7:7: stage "make", field "with.ouputs": Unknown parameter "ouputs" (did you mean "outputs"?); expected one of run, outputs, inputs, env\n',
  );
  await assert.rejects(() => Deno.stat(p.cache), Deno.errors.NotFound, "no cache dir created");
});

Deno.test("run: a failure message shows an upstream's output directory as <stage id>", async () => {
  await using p = await tempProject({
    "p.yaml": `name: named
stages:
  make:
    task: shell
    with:
      run: echo 1 > "$OUT/x"
  use:
    task: shell
    with:
      run: echo "cannot use \${{ stages.make.out }}/x" >&2; exit 1
`,
  });
  const result = await p.run("run", "p.yaml");
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /✖ use: Command exited with code 1:\n\s+cannot use <make>\/x/);
  assert.doesNotMatch(result.stdout, /objects\//);
});
