/**
 * A system BLAS reached through Deno's FFI: single-precision matrix products
 * (`cblas_sgemm`) on native vector units and every core, for the wasm
 * backend's convolutions and dense layers (`blas_kernels.ts`). Optional:
 * detected once per process; without one the wasm kernels do the work.
 *
 * Where it looks: `DROPLINE_BLAS` (a library path, or `off`), else OpenBLAS
 * (Debian/Ubuntu `libopenblas0-pthread`, Fedora `openblas`, Homebrew), MKL's
 * single dynamic library, macOS' Accelerate.
 *
 * @module
 */

/** A loaded BLAS. */
export interface NativeBlas {
  /** Short name for keys and reasons: `openblas`, `mkl`, `accelerate` or `blas`. */
  name: string;
  /** What was loaded, for the journal: library path, version and kernel set where it says. */
  detail: string;
  /** Threads its products run on. */
  threads: number;
  /**
   * Row-major C = alpha · op(A) · op(B) + beta · C on float32 views (which may
   * live in a wasm heap). `transA`/`transB` transpose the stored matrices.
   */
  sgemm(args: SgemmArgs): void;
}

/** Operands of {@linkcode NativeBlas.sgemm}; leading dimensions in floats. */
export interface SgemmArgs {
  transA?: boolean;
  transB?: boolean;
  m: number;
  n: number;
  k: number;
  a: Float32Array;
  lda: number;
  b: Float32Array;
  ldb: number;
  c: Float32Array;
  ldc: number;
  /** Default 1. */
  alpha?: number;
  /** Default 0 (C is overwritten). */
  beta?: number;
}

const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

const SGEMM = {
  parameters: [
    "i32",
    "i32",
    "i32",
    "i32",
    "i32",
    "i32",
    "f32",
    "buffer",
    "i32",
    "buffer",
    "i32",
    "f32",
    "buffer",
    "i32",
  ],
  result: "void",
} as const;

const OPENBLAS_INFO = {
  openblas_get_config: { parameters: [], result: "pointer", optional: true },
  openblas_get_corename: { parameters: [], result: "pointer", optional: true },
  openblas_get_num_threads: { parameters: [], result: "i32", optional: true },
} as const;

/** Libraries tried in order, by platform. */
const CANDIDATES: Record<string, string[]> = {
  linux: [
    "libopenblas.so.0",
    "libopenblas.so",
    "libopenblasp.so.0",
    "libmkl_rt.so.2",
    "libmkl_rt.so",
  ],
  darwin: [
    "/opt/homebrew/opt/openblas/lib/libopenblas.dylib",
    "/usr/local/opt/openblas/lib/libopenblas.dylib",
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
  ],
  windows: ["libopenblas.dll", "mkl_rt.2.dll"],
};

let probed: { blas?: NativeBlas; why: string } | undefined;

/**
 * The system BLAS, loaded on first call, or undefined with the reason in
 * {@linkcode nativeBlasStatus}. Needs `--allow-ffi` (else: undefined).
 *
 * @example
 * ```ts
 * const blas = nativeBlas();
 * if (blas) blas.sgemm({ m: 2, n: 2, k: 2, a, lda: 2, b, ldb: 2, c, ldc: 2 });
 * ```
 */
export function nativeBlas(): NativeBlas | undefined {
  probed ??= probe();
  return probed.blas;
}

/**
 * What {@linkcode nativeBlas} found: its name and detail, or why there is none.
 *
 * @example
 * ```ts
 * nativeBlasStatus(); // "openblas (OpenBLAS 0.3.21 ... SkylakeX, 2 threads)" or "off: ..."
 * ```
 */
export function nativeBlasStatus(): string {
  const blas = nativeBlas();
  return blas ? `${blas.name} (${blas.detail})` : `none: ${probed!.why}`;
}

function probe(): { blas?: NativeBlas; why: string } {
  let wanted: string | undefined;
  try {
    wanted = Deno.env.get("DROPLINE_BLAS")?.trim() || undefined;
  } catch {
    return { why: "no permission to read DROPLINE_BLAS" };
  }
  if (wanted && /^(off|none|0|false)$/i.test(wanted)) return { why: "DROPLINE_BLAS=off" };
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return { why: "no FFI permission (--allow-ffi)" };
  }
  const paths = wanted ? [wanted] : CANDIDATES[Deno.build.os] ?? [];
  const failures: string[] = [];
  for (const path of paths) {
    try {
      preferWideKernels(path);
      return { blas: open(path), why: "" };
    } catch (error) {
      failures.push(`${path}: ${firstLine(error)}`);
    }
  }
  if (wanted) return { why: `DROPLINE_BLAS="${wanted}" did not load (${failures[0]})` };
  return { why: "no OpenBLAS, MKL or Accelerate library found" };
}

function open(path: string): NativeBlas {
  const lib = Deno.dlopen(path, { cblas_sgemm: SGEMM, ...OPENBLAS_INFO });
  const s = lib.symbols;
  const text = (p: Deno.PointerValue | null) =>
    p ? new Deno.UnsafePointerView(p as Deno.PointerObject).getCString() : "";
  const config = s.openblas_get_config ? text(s.openblas_get_config()) : "";
  const core = s.openblas_get_corename ? text(s.openblas_get_corename()) : "";
  const threads = s.openblas_get_num_threads?.() ?? navigator.hardwareConcurrency;
  const name = config
    ? "openblas"
    : /mkl/i.test(path)
    ? "mkl"
    : /Accelerate/.test(path)
    ? "accelerate"
    : "blas";
  const version = config.split(" ").slice(0, 2).join(" ");
  const detail = [path, version, core].filter(Boolean).join(", ");
  const sgemm = s.cblas_sgemm;
  return {
    name,
    detail,
    threads,
    sgemm(g) {
      sgemm(
        ROW_MAJOR,
        g.transA ? TRANS : NO_TRANS,
        g.transB ? TRANS : NO_TRANS,
        g.m,
        g.n,
        g.k,
        g.alpha ?? 1,
        g.a as Float32Array<ArrayBuffer>,
        g.lda,
        g.b as Float32Array<ArrayBuffer>,
        g.ldb,
        g.beta ?? 0,
        g.c as Float32Array<ArrayBuffer>,
        g.ldc,
      );
    },
  };
}

/**
 * OpenBLAS releases older than the CPU pick their kernels by CPU family and
 * fall back to 256-bit ones on AVX-512 processors they do not know (0.3.21 on
 * AMD Zen 5 picks "Haswell", measured 1.5-2x slower than its "SkylakeX"
 * kernels there). When the CPU has the AVX-512 subsets those kernels use and
 * the user has not chosen, ask for them; this must happen before loading.
 */
function preferWideKernels(path: string): void {
  if (!/openblas/i.test(path) || Deno.build.os !== "linux") return;
  if (Deno.env.get("OPENBLAS_CORETYPE")) return;
  let cpuinfo: string;
  try {
    cpuinfo = Deno.readTextFileSync("/proc/cpuinfo");
  } catch {
    return;
  }
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.trim().split(/\s+/) ?? []);
  if (["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"].every((f) => flags.has(f))) {
    Deno.env.set("OPENBLAS_CORETYPE", "SkylakeX");
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]?.trim() || "unknown error";
}
