import assert from "node:assert/strict";
import { COMMANDS } from "./commands.ts";
import { main } from "./main.ts";

/** Runs `main` in-process, capturing what it logs. */
async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const log = console.log;
  let out = "";
  console.log = (...args: unknown[]) => out += args.join(" ") + "\n";
  try {
    return { code: await main(argv), out };
  } finally {
    console.log = log;
  }
}

Deno.test("every command's help names each flag it accepts, and no other, with an example", async () => {
  for (const [name, entry] of Object.entries(COMMANDS)) {
    const command = await entry.load();
    const documented = new Set(
      command.help.flags.flatMap(([flag]) => [...flag.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!)),
    );
    assert.deepEqual(
      [...documented].sort(),
      Object.keys(command.options).sort(),
      `${name}: documented flags differ from accepted ones`,
    );
    assert.ok(command.help.examples.length > 0, `${name}: no example`);
    for (const example of command.help.examples) {
      assert.ok(example.startsWith(`deno task ${name} `), `${name}: ${example}`);
    }
  }
});

Deno.test("--help and -h print the command's usage, flags and examples, exiting 0", async () => {
  for (const name of ["run", "status", "why", "dag", "gc", "exp", "diff"]) {
    const { code, out } = await capture([name, "--help"]);
    assert.equal(code, 0);
    assert.match(out, new RegExp(`^Usage: deno task ${name} `));
    assert.match(out, /\nFlags:\n {2}--/);
    assert.match(out, new RegExp(`\\nExamples?:\\n {2}deno task ${name} `));
    assert.equal((await capture([name, "-h"])).out, out);
  }
  const run = (await capture(["run", "--help"])).out;
  assert.match(run, /^ {2}--quiet, -q +no stage lines and no progress/m);
  assert.match(run, /^ {2}--jobs N, -j N +stages running at once/m);
});

Deno.test("--help without a command lists the commands", async () => {
  const { code, out } = await capture(["--help"]);
  assert.equal(code, 0);
  for (const name of Object.keys(COMMANDS)) assert.match(out, new RegExp(`^ {2}${name} +\\S`, "m"));
});
