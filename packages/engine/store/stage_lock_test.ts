import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import { acquireLock, isStale, type LockHolder, pidAlive } from "./stage_lock.ts";

const holder: LockHolder = { pid: 42, host: "a", runId: "r" };
const facts = (over: Partial<Parameters<typeof isStale>[1]> = {}) => ({
  heartbeatAgeMs: 1_000,
  thisHost: "a",
  pidAlive: () => true,
  staleAfterMs: 60_000,
  ...over,
});

Deno.test("isStale() trusts a live holder with a recent heartbeat", () => {
  assert.equal(isStale(holder, facts()), false);
});

Deno.test("isStale() takes over a dead pid on this host at once", () => {
  assert.equal(isStale(holder, facts({ pidAlive: () => false })), true);
});

Deno.test("isStale() waits for the heartbeat timeout for another host's holder", () => {
  assert.equal(isStale(holder, facts({ thisHost: "b", pidAlive: () => false })), false);
  assert.equal(isStale(holder, facts({ thisHost: "b", heartbeatAgeMs: 60_001 })), true);
});

Deno.test("isStale() gives an unreadable lock a few seconds to be written", () => {
  assert.equal(isStale(undefined, facts({ heartbeatAgeMs: 100 })), false);
  assert.equal(isStale(undefined, facts({ heartbeatAgeMs: 5_001 })), true);
});

Deno.test("acquireLock() takes over a lock whose holder died", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "k.lock");
    const dead = new Deno.Command("true").spawn();
    await dead.status;
    await Deno.writeTextFile(
      path,
      JSON.stringify({ pid: dead.pid, host: hostname(), runId: "old" }),
    );
    assert.equal(pidAlive(dead.pid), false);
    assert.equal(pidAlive(Deno.pid), true);
    assert.equal(pidAlive(1), true, "init exists whether or not we may signal it");
    const lock = await acquireLock(path, { pid: Deno.pid, host: hostname(), runId: "new" });
    assert.ok(lock);
    assert.equal(JSON.parse(await Deno.readTextFile(path)).runId, "new");
    lock.release();
    await assert.rejects(() => Deno.stat(path), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("acquireLock() waits for a live holder and gives up when aborted", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "k.lock");
    const me = { pid: Deno.pid, host: hostname(), runId: "a" };
    const first = await acquireLock(path, me);
    assert.ok(first);
    const controller = new AbortController();
    const waits: (LockHolder | undefined)[] = [];
    const second = acquireLock(path, { ...me, runId: "b" }, {
      signal: controller.signal,
      pollMs: 5,
      onWait: (by) => {
        waits.push(by);
        controller.abort();
      },
    });
    assert.equal(await second, undefined);
    assert.deepEqual(waits, [me]);
    first.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
