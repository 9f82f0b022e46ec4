import assert from "node:assert/strict";
import { parseFlags } from "./command_flags.ts";
import { UsageError } from "./usage_error.ts";

const OPTIONS = {
  jobs: { type: "string" },
  set: { type: "string", multiple: true },
  port: { type: "string", default: "8080" },
  help: { type: "boolean", short: "h" },
} as const;

Deno.test("parseFlags() reads both value forms, repeats, switches, defaults and positionals", () => {
  const { values, positionals } = parseFlags(
    ["p.yaml", "--jobs", "2", "--set=a=1", "--set", "b=--x", "-h", "--", "--not-a-flag"],
    OPTIONS,
  );
  assert.deepEqual(values, { jobs: "2", set: ["a=1", "b=--x"], port: "8080", help: true });
  assert.deepEqual(positionals, ["p.yaml", "--not-a-flag"]);
  assert.deepEqual(parseFlags(["--jobs=", "-"], OPTIONS).values.jobs, "");
  assert.deepEqual(parseFlags(["--jobs=", "-"], OPTIONS).positionals, ["-"]);
  assert.equal(parseFlags([], OPTIONS).values.help, undefined);
});

Deno.test("parseFlags() turns every misuse into a UsageError that names the flag", () => {
  const cases: Array<[string[], string]> = [
    [["--jbos", "2"], 'Unknown option "--jbos" (did you mean "--jobs"?)'],
    [["-x"], 'Unknown option "-x"'],
    [["--constructor"], 'Unknown option "--constructor"'],
    [["--jobs"], 'Option "--jobs" needs a value'],
    [["--help=yes"], 'Option "--help" takes no value'],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseFlags(args, OPTIONS), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, message);
      return true;
    });
  }
  assert.throws(
    () => parseFlags(["extra"], OPTIONS, { positionals: false }),
    /^UsageError: Unexpected argument "extra": this command takes only flags$/,
  );
});
