/**
 * The tensor runtime every ML task uses: TF.js core + layers + the converter's
 * `loadGraphModel`, on the backend a request resolves to (`resolve_backend.ts`).
 *
 * Backend `auto` picks `tensorflow` (tfjs-node, when its native binding is
 * installed), else `webgpu` (when a hardware adapter answers), else `wasm`
 * (SIMD, on a system BLAS when one loads), else `cpu`. The choice can be
 * forced with the `backend` option or the `DROPLINE_BACKEND` environment
 * variable (the option wins). All heavy packages are imported lazily, so
 * importing this module is cheap.
 *
 * On wasm the runtime also installs the kernels that make training work and
 * fast there (`wasm_kernels.ts`, `gemm_conv.ts`, `blas_kernels.ts`,
 * `wasm_matmul.ts`, `wasm_sum.ts`, `wasm_identity.ts`, `group_norm_kernels.ts`,
 * `training_kernels.ts`) and a second thread (`conv_pool.ts`;
 * `DROPLINE_WASM_THREADS=1` turns it off).
 *
 * @module
 */
import type { Tf } from "./tf.ts";
import type { NativeBlas } from "./native_blas.ts";
import { type BackendChoice, resolveBackendChoice } from "./backend_choice.ts";
import { type BackendName, firstLine, loadBackend } from "./_load_backend.ts";
import { resolveBackend } from "./resolve_backend.ts";

export type { Tf } from "./tf.ts";
export { BACKEND_CHOICES, type BackendChoice, resolveBackendChoice } from "./backend_choice.ts";

/** A loaded tensor runtime. */
export interface TensorRuntime {
  /** The TF.js namespace (`rt.tf.sequential`, `rt.tf.layers.dense`, `rt.tf.tidy`, ...). */
  tf: Tf;
  /** The active TF.js backend: `tensorflow`, `webgpu`, `wasm` or `cpu`. */
  backend: string;
  /** What keys and facts record: the backend, plus `+openblas` (say) for wasm on a BLAS. */
  resolved: string;
  /** The TF.js version (all packages are pinned to the same one). */
  version: string;
  /** Threads the heavy kernels run on: 2 for wasm with its worker or a 2-thread BLAS, else 1. */
  threads: number;
  /** The system BLAS wasm's matrix products run on, when one was found (name and detail). */
  blas?: string;
}

/** Options of {@linkcode loadTensorRuntime}. */
export interface LoadTensorRuntimeOptions {
  /** Which backend to use; default `DROPLINE_BACKEND` or `auto`. */
  backend?: BackendChoice;
  /** Where the info line about a backend that did not load goes; default `console.error`. */
  log?: (message: string) => void;
  /**
   * Whether wasm may use a system BLAS (`native_blas.ts`) when one is found; default true
   * (`DROPLINE_BLAS=off` disables it for the whole process). Tests of the wasm kernels say false.
   */
  blas?: boolean;
}

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
  loading = load(choice, options.log ?? ((m) => console.error(m)), options.blas ?? true);
  loading.catch(() => {
    loading = undefined;
  });
  return loading;
}

/**
 * What to record in the journal about a runtime: the resolved backend, TF.js version,
 * threads and the BLAS when there is one.
 *
 * @example
 * ```ts
 * ctx.record?.(runtimeFacts(rt)); // { backend: "wasm+openblas", tfjs: "4.22.0", threads: 2, blas: "..." }
 * ```
 */
export function runtimeFacts(rt: TensorRuntime): Record<string, string | number> {
  return {
    backend: rt.resolved,
    tfjs: rt.version,
    threads: rt.threads,
    ...(rt.blas ? { blas: rt.blas } : {}),
  };
}

async function load(
  choice: BackendChoice,
  log: (m: string) => void,
  useBlas: boolean,
): Promise<TensorRuntime> {
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
  const { registerTrainingKernels } = await import("./training_kernels.ts");
  registerTrainingKernels(tf);
  const blas = backend === "wasm" && useBlas ? await startBlas(tf) : undefined;
  const poolThreads = backend === "wasm" ? await startThreads(tf, log, blas !== undefined) : 1;
  return {
    tf,
    backend,
    resolved: blas ? `${backend}+${blas.name}` : backend,
    version: core.version_core,
    threads: Math.max(poolThreads, blas?.threads ?? 1),
    ...(blas ? { blas: `${blas.name} (${blas.detail})` } : {}),
  };
}

/** Moves the wasm backend's matrix products to a system BLAS when one loads. */
async function startBlas(tf: Tf): Promise<NativeBlas | undefined> {
  const { nativeBlas } = await import("./native_blas.ts");
  const blas = nativeBlas();
  if (!blas) return undefined;
  const { registerBlasKernels } = await import("./blas_kernels.ts");
  registerBlasKernels(tf, blas);
  return blas;
}

/**
 * Starts the wasm convolution worker unless `DROPLINE_WASM_THREADS=1` or one core. With a
 * BLAS the products already use every core: the worker then takes group norms only.
 */
async function startThreads(tf: Tf, log: (m: string) => void, blas: boolean): Promise<number> {
  const wanted = Number(Deno.env.get("DROPLINE_WASM_THREADS") ?? navigator.hardwareConcurrency);
  if (!(wanted >= 2)) return 1;
  try {
    const { startConvPool } = await import("./conv_pool.ts");
    const kernels = blas ? ["DroplineGroupNorm", "DroplineGroupNormGrad"] : undefined;
    return (await startConvPool(tf, kernels ? { kernels } : {})).threads;
  } catch (error) {
    log(`info: the wasm convolution worker did not start (${firstLine(error)}); using one thread`);
    return 1;
  }
}

/**
 * Loads the backend `choice` resolves to. An explicit choice that fails is an error; `auto`
 * falls back towards wasm and cpu with one info line.
 */
async function selectBackend(tf: Tf, choice: BackendChoice, log: (m: string) => void) {
  const target = resolveBackend(choice, undefined).backend;
  const order: BackendName[] = choice === "auto"
    ? [...new Set<BackendName>([target, "wasm", "cpu"])]
    : [target];
  for (const [i, name] of order.entries()) {
    const why = await loadBackend(tf, name);
    if (why === undefined) return name;
    if (choice !== "auto") throw new Error(`Cannot use backend "${name}": ${why}`);
    if (i < order.length - 1) {
      log(`info: the ${name} backend did not load (${why}); using ${order[i + 1]}`);
    }
  }
  throw new Error(`Cannot use backend "cpu"`);
}
