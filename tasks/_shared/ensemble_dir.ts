/**
 * An output ensemble on disk: `ensemble.json` (how it was made) and its
 * members - model directories copied under `members/<i>/`, or, for networks
 * (100 MB each for a ResNet-50), absolute paths of the model directories they
 * already live in (the fine-tuning runs' outputs). Its prediction is the mean
 * of the members' probabilities.
 */
import {
  type ModelJson,
  type ModelMeta,
  modelMetaOf,
  readModelDir,
  type Weights,
  writeModelDir,
} from "@dropline/ml";

export interface Member {
  json: ModelJson;
  weights: Weights;
}

interface EnsembleJson {
  format: "dropline-ensemble";
  version: 1;
  meta: ModelMeta;
  members: string[];
}

/** Writes the ensemble; members given as paths are referenced, not copied. */
export async function writeEnsembleDir(
  dir: string,
  meta: ModelMeta,
  members: Member[] | string[],
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const paths = members.map((m, i) => (typeof m === "string" ? m : `members/${i}`));
  for (const [i, m] of members.entries()) {
    if (typeof m !== "string") await writeModelDir(`${dir}/${paths[i]}`, m.json, m.weights);
  }
  const json: EnsembleJson = { format: "dropline-ensemble", version: 1, meta, members: paths };
  await Deno.writeTextFile(`${dir}/ensemble.json`, JSON.stringify(json, null, 1));
}

/** Null when `dir` holds no ensemble.json. */
export async function readEnsembleDir(
  dir: string,
): Promise<{ meta: ModelMeta; members: Member[] } | null> {
  let json: EnsembleJson;
  try {
    json = JSON.parse(await Deno.readTextFile(`${dir}/ensemble.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw new SyntaxError(`Invalid "${dir}/ensemble.json": ${(error as Error).message}`);
  }
  const where = (p: string) => (p.startsWith("/") ? p : `${dir}/${p}`);
  const members = await Promise.all(json.members.map((p) => readModelDir(where(p))));
  members.forEach((m, i) => modelMetaOf(m.json, where(json.members[i]!)));
  return { meta: json.meta, members };
}
