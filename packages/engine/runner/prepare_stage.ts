/**
 * Computes a stage's key from its params, upstream output digests and local
 * input files, looks the key up in the store and decides what to do.
 */
import { relative } from "../util/posix_path.ts";
import type { KeyedStage, StageGraph } from "../pipeline/compile.ts";
import type { JournalHistory } from "../journal/history.ts";
import type { FileDigests } from "../store/file_digests.ts";
import type { Lookup, Store } from "../store/store.ts";
import { decide, type Decision, type RecordedInputs } from "./reasons.ts";
import { type KeyInputs, keyInputsJson } from "./stage_key.ts";
import { canonicalJson } from "../util/canonical_json.ts";
import { sha256Hex } from "../util/sha256_hex.ts";
import { TaskError } from "@dropline/task";

/** A stage with its key known. */
export interface PreparedStage {
  key: string;
  inputs: KeyInputs;
  /**
   * The inputs plus the pipeline params used, as JSON recorded in the journal
   * (made on demand: only a stage that executes records them).
   */
  recordedJson(): string;
  decision: Decision;
  found: Lookup;
}

/** What preparing a stage reads. */
export interface PrepareContext {
  pipeline: StageGraph;
  store: Store;
  files: FileDigests;
  /** The journal, for the last recorded run of the stage (reasons). */
  history?: JournalHistory;
  forced: boolean;
  /** Content digest of each upstream's output, by stage id. */
  upstreamDigests: ReadonlyMap<string, string>;
}

/**
 * The key inputs of a stage whose upstream digests are all known.
 *
 * @example
 * ```ts
 * const inputs = await keyInputs(stage, pipeline, files, digests);
 * ```
 */
export async function keyInputs(
  stage: KeyedStage,
  pipeline: StageGraph,
  files: FileDigests,
  upstreamDigests: ReadonlyMap<string, string>,
): Promise<KeyInputs> {
  const upstream: Record<string, string> = {};
  for (const id of stage.upstream) upstream[id] = upstreamDigests.get(id)!;
  const fileDigests: Record<string, string> = {};
  for (const path of stage.inputFiles) {
    const name = relative(pipeline.dir, path);
    try {
      fileDigests[name] = await files.digest(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        // A path outside the pipeline's directory reads better absolute than as "../../x".
        const shown = name.startsWith("../") ? path : name;
        throw new TaskError(`Input file "${shown}" does not exist`);
      }
      throw error;
    }
  }
  return {
    task: stage.task.name,
    version: stage.task.version,
    params: stage.keyParams,
    upstream,
    files: fileDigests,
    ...(stage.env ? { env: stage.env } : {}),
  };
}

/** Keys, looks up and decides one stage. */
export async function prepareStage(
  stage: KeyedStage,
  context: PrepareContext,
): Promise<PreparedStage> {
  const inputs = await keyInputs(stage, context.pipeline, context.files, context.upstreamDigests);
  const inputsJson = keyInputsJson(inputs, stage.keyParamsJson);
  const key = sha256Hex(inputsJson);
  const recorded: RecordedInputs = { ...inputs, usedParams: stage.usedParams };
  const recordedJson = () =>
    `{"usedParams":${canonicalJson(stage.usedParams)},${inputsJson.slice(1)}`;
  const found = await context.store.lookup(key);
  // The journal is only consulted to explain a run; a reused result needs no history.
  const previous = context.history && (found.state !== "present" || context.forced)
    ? context.history.lastKeyedAttempt(context.pipeline.name, stage.id)
    : undefined;
  const decision = decide({
    key,
    inputs: recorded,
    forced: context.forced,
    stored: found.state === "corrupt" ? found : { state: found.state },
    ...(previous
      ? {
        previous: {
          key: previous.key,
          inputs: previous.keyInputs ? JSON.parse(previous.keyInputs) as RecordedInputs : undefined,
          state: previous.state,
          error: previous.error,
        },
      }
      : {}),
  });
  return { key, inputs, recordedJson, decision, found };
}
