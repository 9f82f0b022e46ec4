/**
 * The protocol between the main thread and a convolution worker: one job at a
 * time through shared memory, so a synchronous TF.js kernel can hand half of
 * its work to another core and block until it is done (no event loop involved).
 *
 * Layout: `control` (Int32Array) holds the state; `header` holds the job as
 * JSON; `data` (growable) holds input and output floats.
 *
 * @module
 */

/** Job states in `control[STATE]`. */
export const IDLE = 0;
export const POSTED = 1;
export const DONE = 2;
export const FAILED = 3;
export const STATE = 0;
/** Length in bytes of the JSON header in `control[HEADER_LENGTH]`. */
export const HEADER_LENGTH = 1;

const HEADER_BYTES = 1 << 16;
const DATA_MAX_BYTES = 2 ** 31;
/** The most a job may move through shared memory. */
export const MAX_SHARED_BYTES = DATA_MAX_BYTES;

/** One tensor in the data area. */
export interface SharedTensor {
  shape: number[];
  /** Offset in floats from the start of `data`. */
  offset: number;
}

/** A kernel call for the worker. */
export interface Job {
  kernel: string;
  attrs: Record<string, unknown>;
  inputs: Record<string, SharedTensor>;
  /** Where the worker writes its outputs, one after another (floats). */
  outputOffset: number;
  /** Set by the worker: the output shapes, or an error message. */
  outputShapes?: number[][];
  error?: string;
}

/** The shared buffers of one worker. */
export interface SharedBuffers {
  control: SharedArrayBuffer;
  header: SharedArrayBuffer;
  data: SharedArrayBuffer;
}

/**
 * Allocates the buffers; `data` grows on demand up to 2 GiB.
 *
 * @example
 * ```ts
 * const buffers = createSharedBuffers();
 * ```
 */
export function createSharedBuffers(): SharedBuffers {
  return {
    control: new SharedArrayBuffer(64),
    header: new SharedArrayBuffer(HEADER_BYTES),
    data: new SharedArrayBuffer(1 << 20, { maxByteLength: DATA_MAX_BYTES }),
  };
}

/**
 * Makes sure `data` holds at least `floats` floats.
 *
 * @example
 * ```ts
 * ensureCapacity(buffers, 1024);
 * ```
 */
export function ensureCapacity(buffers: SharedBuffers, floats: number): void {
  const bytes = floats * 4;
  if (bytes > DATA_MAX_BYTES) throw new RangeError(`A job of "${bytes}" bytes is too large`);
  const data = buffers.data as SharedArrayBuffer & { grow(n: number): void };
  if (data.byteLength < bytes) {
    data.grow(Math.min(DATA_MAX_BYTES, Math.max(bytes, data.byteLength * 2)));
  }
}

/**
 * Writes a job (or its answer) into the header.
 *
 * @example
 * ```ts
 * writeJob(buffers, { kernel: "Conv2D", attrs: {}, inputs: {}, outputOffset: 0 });
 * ```
 */
export function writeJob(buffers: SharedBuffers, job: Job): void {
  const bytes = new TextEncoder().encode(JSON.stringify(job));
  if (bytes.length > buffers.header.byteLength) throw new RangeError("A job header is too large");
  new Uint8Array(buffers.header).set(bytes);
  new Int32Array(buffers.control)[HEADER_LENGTH] = bytes.length;
}

/**
 * Reads the job (or its answer) from the header.
 *
 * @example
 * ```ts
 * const job = readJob(buffers);
 * ```
 */
export function readJob(buffers: SharedBuffers): Job {
  const length = new Int32Array(buffers.control)[HEADER_LENGTH]!;
  // TextDecoder refuses views of shared memory: copy the bytes out first.
  const bytes = new Uint8Array(buffers.header, 0, length).slice();
  return JSON.parse(new TextDecoder().decode(bytes)) as Job;
}
