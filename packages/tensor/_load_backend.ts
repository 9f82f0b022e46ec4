/**
 * Loading one TF.js backend by name, with the kernels dropline adds to it: the
 * step of `runtime.ts` that touches TF.js' backend registry.
 *
 * @module
 */
import type { Tf } from "./tf.ts";

const NO_BINDING = "its native binding is not installed: " +
  "run `deno install --allow-scripts=npm:@tensorflow/tfjs-node` with network access";

/** The backends {@linkcode loadBackend} knows. */
export type BackendName = "tensorflow" | "webgpu" | "wasm" | "cpu";

/**
 * Loads and activates `name`; returns undefined on success, else a one-line reason.
 *
 * @example
 * ```ts
 * const why = await loadBackend(tf, "wasm");
 * if (why) throw new Error(why);
 * ```
 */
export function loadBackend(tf: Tf, name: BackendName): Promise<string | undefined> {
  switch (name) {
    case "tensorflow":
      return tryTensorflow(tf);
    case "webgpu":
      return tryWebgpu(tf);
    case "wasm":
      return tryWasm(tf);
    case "cpu":
      return tf.setBackend("cpu").then((ok) => ok ? undefined : "its backend failed to initialise");
  }
}

async function tryTensorflow(tf: Tf): Promise<string | undefined> {
  try {
    // A variable specifier keeps tfjs-node out of the static module graph.
    const name = "@tensorflow/tfjs-node";
    await import(name);
    return (await tf.setBackend("tensorflow")) ? undefined : "its backend failed to initialise";
  } catch (error) {
    // The usual case: npm installed the package but its install script never fetched the binding.
    if (/tfjs_binding\.node/.test(String(error))) return NO_BINDING;
    return firstLine(error);
  }
}

async function tryWebgpu(tf: Tf): Promise<string | undefined> {
  if (!("gpu" in navigator)) {
    return "WebGPU is off in this process: run Deno with --unstable-webgpu";
  }
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return "no WebGPU adapter was found";
    await import("@tensorflow/tfjs-backend-webgpu");
    if (!(await tf.setBackend("webgpu"))) return "its backend failed to initialise";
    // Its synchronous read draws through an OffscreenCanvas, which Deno lacks: say so plainly.
    (tf.backend() as unknown as { readSync: () => never }).readSync = () => {
      throw new Error(
        "The webgpu backend cannot read tensors synchronously in Deno (dataSync, arraySync): " +
          "use `await tensor.data()`",
      );
    };
    return undefined;
  } catch (error) {
    return firstLine(error);
  }
}

async function tryWasm(tf: Tf): Promise<string | undefined> {
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    if (!(await tf.setBackend("wasm"))) return "its backend failed to initialise";
    const { registerWasmGradientKernels } = await import("./wasm_kernels.ts");
    registerWasmGradientKernels(tf);
    const { registerWasmMatMul } = await import("./wasm_matmul.ts");
    registerWasmMatMul(tf);
    const { registerWasmSum } = await import("./wasm_sum.ts");
    registerWasmSum(tf);
    const { registerWasmIdentity } = await import("./wasm_identity.ts");
    registerWasmIdentity(tf);
    const { registerWasmLayoutOps } = await import("./wasm_layout_ops.ts");
    registerWasmLayoutOps(tf);
    return undefined;
  } catch (error) {
    return firstLine(error);
  }
}

/**
 * The first line of an error's message.
 *
 * @example
 * ```ts
 * firstLine(new Error("a\nb")); // "a"
 * ```
 */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.trim() || "unknown error";
}
