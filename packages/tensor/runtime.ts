/**
 * The tensor runtime every ML task uses: TF.js core + layers + the converter's
 * `loadGraphModel`, on the fastest backend that loads here.
 *
 * Backend `auto` tries `tensorflow` (tfjs-node, when its native binding loads),
 * then `wasm` (SIMD), then `cpu`. The choice can be forced with the `backend`
 * option or the `DROPLINE_BACKEND` environment variable (the option wins).
 * All heavy packages are imported lazily, so importing this module is cheap.
 *
 * On wasm the runtime also installs the kernels that make training work and
 * fast there (`wasm_kernels.ts`, `gemm_conv.ts`, `wasm_matmul.ts`,
 * `wasm_sum.ts`, `wasm_identity.ts`, `group_norm_kernels.ts`) and a second thread for large
 * convolutions (`conv_pool.ts`; `DROPLINE_WASM_THREADS=1` turns it off).
 *
 * @module
 */
import type { Tf } from "./tf.ts";

export type { Tf } from "./tf.ts";

/** Every backend request, `auto` first. */
export const BACKEND_CHOICES = ["auto", "tensorflow", "wasm", "cpu"] as const;

/** A backend request: `auto` picks the fastest one that loads. */
export type BackendChoice = typeof BACKEND_CHOICES[number];

/** A loaded tensor runtime. */
export interface TensorRuntime {
  /** The TF.js namespace (`rt.tf.sequential`, `rt.tf.layers.dense`, `rt.tf.tidy`, ...). */
  tf: Tf;
  /** The active backend: `tensorflow`, `wasm` or `cpu`. */
  backend: string;
  /** The TF.js version (all packages are pinned to the same one). */
  version: string;
  /** Threads the heavy kernels run on: 2 for wasm with its convolution worker, else 1. */
  threads: number;
}

/** Options of {@linkcode loadTensorRuntime}. */
export interface LoadTensorRuntimeOptions {
  /** Which backend to use; default `DROPLINE_BACKEND` or `auto`. */
  backend?: BackendChoice;
  /** Where the one info line about a missing tfjs-node goes; default `console.error`. */
  log?: (message: string) => void;
}

const NO_BINDING = "its native binding is not installed: " +
  "run `deno install --allow-scripts=npm:@tensorflow/tfjs-node` with network access";

let loading: Promise<TensorRuntime> | undefined;

/**
 * Loads TF.js once per process and returns the runtime; later calls return the
 * same object. Asking for a different explicit backend afterwards is an error,
 * since TF.js has one global engine.
 *
 * @example
 * ```ts
 * import { loadTensorRuntime } from "@dropline/tensor";
 * const rt = await loadTensorRuntime();
 * const model = rt.tf.sequential({ layers: [rt.tf.layers.dense({ units: 1, inputShape: [3] })] });
 * console.log(rt.backend, rt.version, model.countParams());
 * ```
 */
export function loadTensorRuntime(options: LoadTensorRuntimeOptions = {}): Promise<TensorRuntime> {
  const choice = resolveBackendChoice(options.backend, Deno.env.get("DROPLINE_BACKEND"));
  if (loading) {
    if (choice === "auto") return loading;
    return loading.then((rt) => {
      if (rt.backend === choice) return rt;
      throw new Error(
        `Tensor runtime is already loaded with backend "${rt.backend}", not "${choice}"`,
      );
    });
  }
  loading = load(choice, options.log ?? ((m) => console.error(m)));
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * The backend to use, from the option first, then the environment variable, then `auto`.
 * Throws a `TypeError` naming the bad value.
 *
 * @example
 * ```ts
 * resolveBackendChoice(undefined, "cpu"); // "cpu"
 * resolveBackendChoice("wasm", "cpu"); // "wasm"
 * ```
 */
export function resolveBackendChoice(
  option: string | undefined,
  env: string | undefined,
): BackendChoice {
  const raw = option ?? (env?.trim() || undefined) ?? "auto";
  const value = raw.toLowerCase();
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    const from = option === undefined ? "DROPLINE_BACKEND" : "backend";
    throw new TypeError(
      `Unknown tensor backend "${raw}" in ${from}: expected one of ${BACKEND_CHOICES.join(", ")}`,
    );
  }
  return value as BackendChoice;
}

/**
 * The backend name and TF.js version of a runtime, to record next to results.
 *
 * @example
 * ```ts
 * const rt = await loadTensorRuntime();
 * backendFingerprint(rt); // { backend: "wasm", version: "4.22.0" }
 * ```
 */
export function backendFingerprint(rt: TensorRuntime): { backend: string; version: string } {
  return { backend: rt.backend, version: rt.version };
}

async function load(choice: BackendChoice, log: (m: string) => void): Promise<TensorRuntime> {
  const [core, layers, converter] = await Promise.all([
    import("@tensorflow/tfjs-core"),
    import("@tensorflow/tfjs-layers"),
    import("@tensorflow/tfjs-converter"),
  ]);
  // The cpu backend is always registered: it is the last resort and the reference in tests.
  await import("@tensorflow/tfjs-backend-cpu");
  const tf = { ...core, ...layers, loadGraphModel: converter.loadGraphModel } as Tf;
  // Production mode silences TF.js' console banners ("install tfjs-node"), not errors.
  tf.enableProdMode();
  const { registerGroupNorm } = await import("./group_norm.ts");
  registerGroupNorm(tf);
  const backend = await selectBackend(tf, choice, log);
  const threads = backend === "wasm" ? await startThreads(tf, log) : 1;
  return { tf, backend, version: core.version_core, threads };
}

/** Starts the wasm convolution worker unless `DROPLINE_WASM_THREADS=1` or one core. */
async function startThreads(tf: Tf, log: (m: string) => void): Promise<number> {
  const wanted = Number(Deno.env.get("DROPLINE_WASM_THREADS") ?? navigator.hardwareConcurrency);
  if (!(wanted >= 2)) return 1;
  try {
    const { startConvPool } = await import("./conv_pool.ts");
    return (await startConvPool(tf)).threads;
  } catch (error) {
    log(`info: the wasm convolution worker did not start (${firstLine(error)}); using one thread`);
    return 1;
  }
}

async function selectBackend(tf: Tf, choice: BackendChoice, log: (m: string) => void) {
  if (choice === "tensorflow" || choice === "auto") {
    const why = await tryTensorflow(tf);
    if (why === undefined) return "tensorflow";
    if (choice === "tensorflow") throw new Error(`Cannot use backend "tensorflow": ${why}`);
    log(`info: tfjs-node is not available (${why}); using the wasm backend`);
  }
  if (choice === "wasm" || choice === "auto") {
    const why = await tryWasm(tf);
    if (why === undefined) return "wasm";
    if (choice === "wasm") throw new Error(`Cannot use backend "wasm": ${why}`);
    log(`info: the wasm backend did not load (${why}); using the cpu backend`);
  }
  if (!(await tf.setBackend("cpu"))) throw new Error(`Cannot use backend "cpu"`);
  return "cpu";
}

/** Returns undefined on success, else a one-line reason. */
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
    return undefined;
  } catch (error) {
    return firstLine(error);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.trim() || "unknown error";
}
