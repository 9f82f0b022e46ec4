/**
 * Training checkpoints on disk: `checkpoint.json` (step, generator and
 * optimiser counters, best step, metric records) plus one binary file of every
 * float array (parameters, optimiser slots, best parameters). The binary file
 * is written first under a new name and the JSON that points at it is renamed
 * into place last, so a kill at any moment leaves the previous checkpoint
 * whole.
 *
 * @example
 * ```ts
 * await saveCheckpoint(ctx.checkpointDir, state);
 * const resumed = await loadCheckpoint(ctx.checkpointDir); // null when none
 * ```
 */
import type { TrainState } from "./train_loop.ts";

interface CheckpointJson {
  format: "dropline-checkpoint";
  version: 1;
  binary: string;
  step: number;
  rng: number[];
  optimizerT: number;
  best: { step: number; val: number } | null;
  window: [number, number, number];
  records: TrainState["records"];
  /** Lengths of the arrays in the binary file, in order: params, slots, best params. */
  sizes: { params: number[]; slots: number[]; best: number[] };
}

export async function saveCheckpoint(dir: string, state: TrainState): Promise<void> {
  const arrays = [...state.params, ...state.optimizer.slots, ...(state.best?.params ?? [])];
  const binary = `checkpoint-${state.step}.bin`;
  await Deno.writeFile(`${dir}/${binary}.tmp`, concat(arrays));
  await Deno.rename(`${dir}/${binary}.tmp`, `${dir}/${binary}`);
  const json: CheckpointJson = {
    format: "dropline-checkpoint",
    version: 1,
    binary,
    step: state.step,
    rng: state.rng,
    optimizerT: state.optimizer.t,
    best: state.best ? { step: state.best.step, val: state.best.val } : null,
    window: state.window,
    records: state.records,
    sizes: {
      params: state.params.map((a) => a.length),
      slots: state.optimizer.slots.map((a) => a.length),
      best: (state.best?.params ?? []).map((a) => a.length),
    },
  };
  await Deno.writeTextFile(`${dir}/checkpoint.json.tmp`, JSON.stringify(json));
  await Deno.rename(`${dir}/checkpoint.json.tmp`, `${dir}/checkpoint.json`);
  for await (const entry of Deno.readDir(dir)) {
    if (/^checkpoint-\d+\.bin$/.test(entry.name) && entry.name !== binary) {
      await Deno.remove(`${dir}/${entry.name}`);
    }
  }
}

/** The last saved state, or null when the directory holds none. */
export async function loadCheckpoint(dir: string): Promise<TrainState | null> {
  let json: CheckpointJson;
  try {
    json = JSON.parse(await Deno.readTextFile(`${dir}/checkpoint.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const bytes = await Deno.readFile(`${dir}/${json.binary}`);
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  let offset = 0;
  const take = (sizes: number[]) =>
    sizes.map((n) => {
      const a = floats.slice(offset, offset + n);
      offset += n;
      return a;
    });
  const params = take(json.sizes.params),
    slots = take(json.sizes.slots),
    best = take(json.sizes.best);
  if (offset !== floats.length) {
    throw new SyntaxError(`Checkpoint "${dir}/${json.binary}" has the wrong size`);
  }
  return {
    step: json.step,
    rng: json.rng,
    optimizer: { t: json.optimizerT, slots },
    params,
    best: json.best ? { ...json.best, params: best } : null,
    window: json.window,
    records: json.records,
  };
}

function concat(arrays: Float32Array[]): Uint8Array {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return new Uint8Array(out.buffer);
}
