import assert from "node:assert/strict";
import { effectiveLearningRate, Optimizer } from "./optimizer.ts";

const close = (a: number, b: number, tol = 1e-6) =>
  assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

Deno.test("Optimizer.step() applies SGD momentum as PyTorch does", () => {
  const w = new Float32Array([1]);
  const opt = new Optimizer({ kind: "sgd", momentum: 0.9 }, [{ size: 1, role: "head" }]);
  opt.step([w], [new Float32Array([1])], 0.1); // v=1, w=0.9
  opt.step([w], [new Float32Array([1])], 0.1); // v=1.9, w=0.71
  close(w[0]!, 0.71);
});

Deno.test("Optimizer.step() adds coupled weight decay to the gradient", () => {
  const w = new Float32Array([2]);
  const opt = new Optimizer({ kind: "sgd", momentum: 0, weightDecay: 0.5 }, [{
    size: 1,
    role: "head",
  }]);
  opt.step([w], [new Float32Array([0])], 0.1); // g = 0.5*2 = 1
  close(w[0]!, 1.9);
});

Deno.test("Optimizer.step() scales the head's rate and pulls the backbone towards its start", () => {
  const head = new Float32Array([0]), body = new Float32Array([3]);
  const opt = new Optimizer(
    { kind: "sgd", momentum: 0, headLrMult: 10, l2spAlpha: 1 },
    [{ size: 1, role: "head" }, { size: 1, role: "backbone", initial: new Float32Array([1]) }],
  );
  opt.step([head, body], [new Float32Array([1]), new Float32Array([0])], 0.01);
  close(head[0]!, -0.1);
  close(body[0]!, 3 - 0.01 * 2);
});

Deno.test("Optimizer.step() takes Adam's first step of size lr", () => {
  const w = new Float32Array([0, 0]);
  const opt = new Optimizer({ kind: "adam" }, [{ size: 2, role: "head" }]);
  opt.step([w], [new Float32Array([5, -0.01])], 0.1);
  close(w[0]!, -0.1, 1e-5);
  close(w[1]!, 0.1, 1e-4);
});

Deno.test("Optimizer resumed from its state continues identically", () => {
  const run = (split: boolean) => {
    const w = new Float32Array([1, -1]);
    let opt = new Optimizer({ kind: "adam" }, [{ size: 2, role: "head" }]);
    for (let i = 0; i < 10; i++) {
      if (split && i === 5) {
        opt = new Optimizer({ kind: "adam" }, [{ size: 2, role: "head" }], opt.state());
      }
      opt.step([w], [new Float32Array([w[0]! * 2, Math.sin(i)])], 0.05);
    }
    return Array.from(w);
  };
  assert.deepEqual(run(true), run(false));
});

Deno.test("effectiveLearningRate() divides by one minus momentum", () => {
  close(effectiveLearningRate(1e-3, { kind: "sgd", momentum: 0.9 }), 1e-2, 1e-12);
  assert.equal(effectiveLearningRate(1e-3, { kind: "adam" }), 1e-3);
});
