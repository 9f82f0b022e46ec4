import assert from "node:assert/strict";
import { UsageError } from "@dropline/engine";
import { parseDashboardFlags } from "./parse_flags.ts";

Deno.test("parseDashboardFlags() defaults to ./cache on 127.0.0.1:8080", () => {
  assert.deepEqual(parseDashboardFlags([]), {
    cacheDir: "./cache",
    port: 8080,
    host: "127.0.0.1",
    help: false,
  });
});

Deno.test("parseDashboardFlags() reads every flag", () => {
  const flags = parseDashboardFlags([
    "--cache-dir",
    "/c",
    "--port=0",
    "--host",
    "0.0.0.0",
    "--auth",
    "ada:p:w",
  ]);
  assert.deepEqual(flags, {
    cacheDir: "/c",
    port: 0,
    host: "0.0.0.0",
    help: false,
    auth: { user: "ada", password: "p:w" },
  });
});

Deno.test("parseDashboardFlags() rejects unknown flags, stray arguments and bad values", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--prot", "80"], /^Unknown option "--prot"$/],
    [["extra"], /"extra"/],
    [["--port", "http"], /"--port" expects a port number .* got "http"/],
    [["--port", "70000"], /got "70000"/],
    [["--auth", "nopassword"], /"--auth" expects "user:password"/],
    [["--auth", ":pw"], /"--auth"/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseDashboardFlags(args), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      return true;
    });
  }
});
