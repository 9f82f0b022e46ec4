import assert from "node:assert/strict";
import { TaskError } from "./task_error.ts";
import { withTaskErrors } from "./with_task_errors.ts";

const running = { signal: new AbortController().signal };

function aborted(): { signal: AbortSignal } {
  const controller = new AbortController();
  controller.abort();
  return { signal: controller.signal };
}

Deno.test("withTaskErrors() reports input errors as TaskError keeping the original as cause", async () => {
  for (const original of [new TypeError("t"), new RangeError("r"), new SyntaxError("s")]) {
    const run = withTaskErrors(() => Promise.reject(original));
    const error = await run(running).then(() => null, (e: unknown) => e);
    assert.ok(error instanceof TaskError);
    assert.equal(error.message, original.message);
    assert.equal(error.cause, original, "the stack of a real bug stays reachable");
  }
});

Deno.test("withTaskErrors() passes other errors and TaskErrors through unchanged", async () => {
  const bug = new Error("plain bug");
  await assert.rejects(withTaskErrors(() => Promise.reject(bug))(running), (e) => e === bug);
  const expected = new TaskError("bad input");
  await assert.rejects(
    withTaskErrors(() => Promise.reject(expected))(running),
    (e) => e === expected,
  );
  const missing = new Deno.errors.NotFound("no such file");
  await assert.rejects(
    withTaskErrors(() => Promise.reject(missing))(running),
    (e) => e === missing,
  );
});

Deno.test("withTaskErrors() reports the classes named in `also`", async () => {
  const missing = new Deno.errors.NotFound("no such file");
  const run = withTaskErrors(() => Promise.reject(missing), { also: [Deno.errors.NotFound] });
  await assert.rejects(
    run(running),
    (e: Error) => e instanceof TaskError && e.message === "no such file" && e.cause === missing,
  );
});

Deno.test("withTaskErrors() says the stage was interrupted when the signal was aborted", async () => {
  const bug = new Error("socket closed");
  await assert.rejects(
    withTaskErrors(() => Promise.reject(bug))(aborted()),
    (e: Error) => e instanceof TaskError && e.message === "Interrupted" && e.cause === bug,
  );
  const run = withTaskErrors(() => Promise.reject(bug), { interrupted: "Interrupted; resumes" });
  await assert.rejects(run(aborted()), (e: Error) => e.message === "Interrupted; resumes");
});

Deno.test("withTaskErrors() hands the context to the wrapped run", async () => {
  let calls = 0;
  await withTaskErrors((ctx: { signal: AbortSignal }) => {
    assert.equal(ctx, running);
    calls++;
    return Promise.resolve();
  })(running);
  assert.equal(calls, 1);
});
