import assert from "node:assert/strict";
import { Semaphore } from "./semaphore.ts";

Deno.test("Semaphore lets `size` holders in at once and hands slots over in order", async () => {
  const slots = new Semaphore(2);
  const order: string[] = [];
  await slots.acquire();
  await slots.acquire();
  const waiting = ["c", "d"].map((name) => slots.acquire().then(() => order.push(name)));
  await Promise.resolve();
  assert.deepEqual(order, [], "both slots are taken");
  slots.release();
  await waiting[0];
  assert.deepEqual(order, ["c"], "one release, one waiter in");
  slots.release();
  await waiting[1];
  assert.deepEqual(order, ["c", "d"], "first come, first served");
  slots.release();
  slots.release();
  await slots.acquire();
  await slots.acquire();
  let third = false;
  slots.acquire().then(() => third = true);
  await Promise.resolve();
  assert.equal(third, false, "released slots are counted, not multiplied");
});
