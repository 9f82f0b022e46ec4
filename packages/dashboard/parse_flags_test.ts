import assert from "node:assert/strict";
import { UsageError } from "@dropline/engine";
import { parseDashboardFlags } from "./parse_flags.ts";

Deno.test("parseDashboardFlags() defaults to ./cache on 127.0.0.1:8080", () => {
  assert.deepEqual(parseDashboardFlags([], { env: {} }), {
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
  ], { env: {} });
  assert.deepEqual(flags, {
    cacheDir: "/c",
    port: 0,
    host: "0.0.0.0",
    help: false,
    auth: { user: "ada", password: "p:w" },
    warnings: [
      "--auth puts the password where other users can see it (`ps`, shell history): prefer --auth-file or DROPLINE_DASHBOARD_AUTH",
    ],
  });
});

Deno.test("parseDashboardFlags() rejects unknown flags, stray arguments and bad values", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--prot", "80"], /^Unknown option "--prot" \(did you mean "--port"\?\)$/],
    [["extra"], /"extra"/],
    [["--port", "http"], /"--port" expects a port number .* got "http"/],
    [["--port", "70000"], /got "70000"/],
    [
      ["--auth", "nopassword"],
      /^Option "--auth" must hold "user:password" \(a user, a colon, a password\)$/,
    ],
    [["--auth", ":secret"], /^Option "--auth" must hold "user:password"/],
    [["--auth", "a:b", "--auth-file", "f"], /either "--auth-file" or "--auth"/],
    [["--auth-file", "/nonexistent/f"], /^Cannot read --auth-file "\/nonexistent\/f": /],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseDashboardFlags(args), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("parseDashboardFlags() takes credentials from a file or the environment, never echoing them", () => {
  const files: Record<string, string> = { "/run/auth": "ada:s3cret:x\n", "/run/bad": "s3cret\n" };
  const readTextFile = (path: string) => files[path]!;
  assert.deepEqual(parseDashboardFlags(["--auth-file", "/run/auth"], { readTextFile }).auth, {
    user: "ada",
    password: "s3cret:x",
  });
  assert.deepEqual(
    parseDashboardFlags([], { env: { DROPLINE_DASHBOARD_AUTH: "bob:pw" } }).auth,
    { user: "bob", password: "pw" },
  );
  assert.equal(parseDashboardFlags([], { env: {} }).auth, undefined);
  for (
    const [args, env] of [[["--auth-file", "/run/bad"], {}], [[], {
      DROPLINE_DASHBOARD_AUTH: "s3cret",
    }]] as const
  ) {
    assert.throws(
      () => parseDashboardFlags([...args], { env, readTextFile }),
      (error: Error) => error instanceof UsageError && !error.message.includes("s3cret"),
    );
  }
});
