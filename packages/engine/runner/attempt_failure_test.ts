import assert from "node:assert/strict";
import { TaskError } from "@dropline/task";
import { describeFailure } from "./attempt_failure.ts";

function thrownBug(): TypeError {
  try {
    (null as unknown as { x: () => void }).x();
  } catch (error) {
    return error as TypeError;
  }
  throw new Error("unreachable");
}

Deno.test("describeFailure() logs the stack of an unexpected error", () => {
  const bug = thrownBug();
  const failure = describeFailure(bug);
  assert.equal(failure.expected, false);
  assert.equal(failure.message, bug.message);
  assert.equal(failure.logText, bug.stack);
  assert.match(failure.logText!, /\n\s+at thrownBug/);
});

Deno.test("describeFailure() shows a TaskError without a trace when it wraps nothing", () => {
  assert.deepEqual(describeFailure(new TaskError('Input file "a" does not exist')), {
    message: 'Input file "a" does not exist',
    expected: true,
  });
});

Deno.test("describeFailure() logs the stack of the error a TaskError wraps", () => {
  const bug = thrownBug();
  const failure = describeFailure(new TaskError(bug.message, { cause: bug }));
  assert.equal(failure.expected, true);
  assert.equal(failure.message, bug.message, "the terminal shows the message only");
  assert.equal(failure.logText, `TaskError: ${bug.message}\nCaused by: ${bug.stack}`);
});

Deno.test("describeFailure() follows a chain of causes and stops at a loop", () => {
  const root = new RangeError("root");
  const middle = new Error("middle", { cause: root });
  root.cause = middle;
  const failure = describeFailure(new TaskError("top", { cause: middle }));
  const lines = failure.logText!.split("\n").filter((line) => line.startsWith("Caused by"));
  assert.deepEqual(lines, ["Caused by: Error: middle", "Caused by: RangeError: root"]);
  assert.deepEqual(describeFailure("a string"), { message: "a string", expected: false });
});
