import assert from "node:assert/strict";
import { main } from "./main.ts";

async function quietly<T>(work: () => Promise<T>): Promise<{ result: T; errors: string }> {
  const original = console.error;
  let errors = "";
  console.error = (...args: unknown[]) => void (errors += args.join(" ") + "\n");
  try {
    return { result: await work(), errors };
  } finally {
    console.error = original;
  }
}

Deno.test("main() exits 2 with the usage for a bad flag, before serving anything", async () => {
  const { result, errors } = await quietly(() => main(["--prot", "80"]));
  assert.equal(result, 2);
  assert.match(errors, /--prot/);
  assert.match(errors, /Usage: deno task dashboard/);
  assert.ok(!/\bat .*\.ts:\d+/.test(errors), "no stack trace");
});

Deno.test("main() exits 1 with a clear message when the port is taken", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const { result, errors } = await quietly(() => main(["--port", String(port)]));
    assert.equal(result, 1);
    assert.match(errors, new RegExp(`port "${port}" is already in use`));
  } finally {
    taken.close();
  }
});
