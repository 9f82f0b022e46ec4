import assert from "node:assert/strict";
import { TerminalReporter } from "./terminal_reporter.ts";

Deno.test("TerminalReporter prints plain lines without a TTY, counting finished stages", () => {
  let out = "";
  const reporter = new TerminalReporter({
    live: false,
    showCached: false,
    total: 4,
    write: (t) => out += t,
  });
  reporter.started("make");
  reporter.progress("make", { done: 1 });
  reporter.finished("make", "succeeded", { ms: 12 });
  reporter.finished("sweep", "cached", {});
  reporter.finished("bad", "failed", { message: "boom", logPath: "/c/logs/1.log" });
  reporter.note("a note");
  reporter.close();
  assert.equal(reporter.slowestLine(), "", "one stage ran: nothing to rank");
  assert.equal(
    out,
    "▶ make\n[1/4] ✔ make 12 ms\n[3/4] ✖ bad: boom\n    log: /c/logs/1.log\nnote: a note\n",
  );
});

Deno.test("TerminalReporter.slowestLine() names the three stages that ran longest", () => {
  const reporter = new TerminalReporter({ live: false, quiet: true, showCached: false });
  for (const [id, ms] of [["a", 5], ["b", 9_000], ["c", 70_000], ["d", 1200]] as const) {
    reporter.finished(id, "succeeded", { ms });
  }
  reporter.finished("e", "cached", { ms: 100_000 });
  assert.equal(reporter.slowestLine(), "slowest: c 1 min 10 s, b 9.0 s, d 1.2 s");
});

Deno.test("TerminalReporter --quiet prints notes only", () => {
  let out = "";
  const reporter = new TerminalReporter({
    live: true,
    quiet: true,
    showCached: true,
    write: (t) => out += t,
  });
  reporter.started("make");
  reporter.finished("make", "succeeded", { ms: 12 });
  reporter.note("a note");
  reporter.close();
  assert.equal(out, "note: a note\n");
});

Deno.test("TerminalReporter's frame follows the stages it was told about", () => {
  let now = 0;
  const reporter = new TerminalReporter({
    live: false,
    showCached: false,
    pipeline: "demo",
    total: 3,
    write: () => {},
    columns: () => 80,
    now: () => now,
  });
  reporter.started("train");
  now = 1000;
  reporter.progress("train", { done: 0, total: 100, unit: "steps" });
  now = 3000;
  reporter.progress("train", { done: 25, total: 100, unit: "steps" });
  reporter.finished("data", "cached", {});
  assert.equal(
    reporter.frame(),
    "demo  1/3 stages  (1 cached, 1 running)  3.0 s\n" +
      "  ⟳ train  █████░░░░░░░░░░░░░░░  25%  25/100 steps  3.0 s  ETA 6.0 s",
  );
  reporter.close();
});
