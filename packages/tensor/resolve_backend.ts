/**
 * Which backend a request (`auto` above all) resolves to on this machine,
 * decided without loading TF.js: the scheduler keys stages on it and the
 * runtime loads exactly it, so a result computed on one backend is never
 * reused for another. Each probe runs once per process:
 *
 * - `tensorflow`: tfjs-node's native binding is installed;
 * - `webgpu`: a hardware WebGPU adapter answers (software ones such as
 *   lavapipe are never picked by `auto`, only when asked for by name);
 * - `wasm`: always; `+openblas` (or another BLAS) when `native_blas.ts` loads one,
 *   since its products round differently;
 * - `cpu`: asked for by name only.
 *
 * @module
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { type BackendChoice, resolveBackendChoice } from "./backend_choice.ts";
import { nativeBlas } from "./native_blas.ts";

/** A resolved request. */
export interface ResolvedBackend {
  /** The TF.js backend to load. */
  backend: "tensorflow" | "webgpu" | "wasm" | "cpu";
  /** The system BLAS the wasm backend's products run on, if any (`openblas`, `mkl`, ...). */
  blas?: string;
  /** What keys and journal facts record: the backend, plus `+blas` for wasm on one. */
  key: string;
}

/**
 * Resolves `choice` (the task's `backend` param, else `DROPLINE_BACKEND`, else `auto`).
 * Throws a TypeError naming an unknown backend.
 *
 * @example
 * ```ts
 * resolveBackend(undefined); // { backend: "wasm", blas: "openblas", key: "wasm+openblas" } here
 * ```
 */
export function resolveBackend(
  choice: string | undefined,
  env: string | undefined = Deno.env.get("DROPLINE_BACKEND"),
): ResolvedBackend {
  const wanted: BackendChoice = resolveBackendChoice(choice, env);
  if (wanted === "tensorflow" || wanted === "cpu" || wanted === "webgpu") {
    return { backend: wanted, key: wanted };
  }
  if (wanted === "auto" && tfjsNodeInstalled()) return { backend: "tensorflow", key: "tensorflow" };
  if (wanted === "auto" && hardwareGpu()) return { backend: "webgpu", key: "webgpu" };
  const blas = nativeBlas()?.name;
  return blas ? { backend: "wasm", blas, key: `wasm+${blas}` } : { backend: "wasm", key: "wasm" };
}

let tfjsNode: boolean | undefined;

/** Whether tfjs-node and its native binding (which its install script downloads) are present. */
export function tfjsNodeInstalled(): boolean {
  if (tfjsNode !== undefined) return tfjsNode;
  tfjsNode = false;
  try {
    const manifest = createRequire(import.meta.url).resolve("@tensorflow/tfjs-node/package.json");
    const lib = `${dirname(manifest)}/lib`;
    for (const entry of Deno.readDirSync(lib)) {
      if (!entry.isDirectory || !entry.name.startsWith("napi-v")) continue;
      try {
        Deno.statSync(`${lib}/${entry.name}/tfjs_binding.node`);
        tfjsNode = true;
      } catch {
        // This napi version has no binding.
      }
    }
  } catch {
    // Not installed, or no permission to look.
  }
  return tfjsNode;
}

/** Software renderers: correct but slower than the CPU backends. */
const SOFTWARE_ADAPTER = /llvmpipe|lavapipe|softpipe|swiftshader|basic render/i;

let gpu: boolean | undefined;

/**
 * Whether a hardware WebGPU adapter answers. On Linux without a GPU device node
 * this costs one directory read; otherwise a short child process asks Deno's
 * WebGPU (loading a GPU driver in this process would be far costlier).
 */
export function hardwareGpu(): boolean {
  gpu ??= probeGpu();
  return gpu;
}

function probeGpu(): boolean {
  if (Deno.build.os === "linux" && !gpuDeviceNode()) return false;
  const script = "const a = await navigator.gpu?.requestAdapter();" +
    "console.log(JSON.stringify(a ? a.info.description || a.info.vendor || 'gpu' : ''));";
  try {
    const { code, stdout } = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--unstable-webgpu", script],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).outputSync();
    if (code !== 0) return false;
    const description = JSON.parse(new TextDecoder().decode(stdout).trim() || '""') as string;
    return description !== "" && !SOFTWARE_ADAPTER.test(description);
  } catch {
    return false;
  }
}

function gpuDeviceNode(): boolean {
  try {
    Deno.statSync("/dev/nvidia0");
    return true;
  } catch {
    // Not NVIDIA's driver.
  }
  try {
    for (const entry of Deno.readDirSync("/dev/dri")) {
      if (entry.name.startsWith("renderD")) return true;
    }
  } catch {
    // No DRM devices at all.
  }
  return false;
}
