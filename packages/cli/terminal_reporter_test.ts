import assert from "node:assert/strict";
import { formatProgress, TerminalReporter } from "./terminal_reporter.ts";

Deno.test("formatProgress() shows done, total, unit, percent and note", () => {
  assert.equal(formatProgress({ done: 5, total: 10, unit: "steps" }), " [5/10 steps 50%]");
  assert.equal(formatProgress({ done: 7, note: "loss 0.31" }), " [7] loss 0.31");
  assert.equal(formatProgress(undefined), "");
});

Deno.test("TerminalReporter prints plain lines without a TTY", () => {
  let out = "";
  const reporter = new TerminalReporter({ live: false, showCached: false, write: (t) => out += t });
  reporter.started("make");
  reporter.progress("make", { done: 1 });
  reporter.finished("make", "succeeded", { ms: 12 });
  reporter.finished("sweep", "cached", {});
  reporter.finished("bad", "failed", { message: "boom", logPath: "/c/logs/1.log" });
  reporter.note("a note");
  reporter.close();
  assert.equal(out, "▶ make\n✔ make 12 ms\n✖ bad: boom\n    log: /c/logs/1.log\nnote: a note\n");
});
