/**
 * A backbone directory (Layers or Graph model + `backbone.json`) cut at a
 * named layer or graph node, as one function from an input batch to a
 * features matrix. Outputs with spatial axes are pooled (or flattened) into
 * one vector per image.
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import type { BackboneInfo } from "@dropline/ml";
import {
  loadGraphModelFromDir,
  loadLayersModelFromDir,
  type TensorRuntime,
} from "@dropline/tensor";

type Tensor = TfCore.Tensor;
type Tf = TensorRuntime["tf"];

/** How an output with spatial axes becomes a vector per image. */
export type Pooling = "avg" | "max" | "flatten";

/** A backbone cut at its feature layer. */
export interface FeatureModel {
  /** The layer or node the features come from. */
  layer: string;
  /** Features of a batch, [n, d]; the caller disposes the input and the result. */
  apply(x: TfCore.Tensor4D): Promise<TfCore.Tensor2D>;
  dispose(): void;
}

/** Options of {@link loadFeatureModel}. */
export interface FeatureModelOptions {
  /** Layer (Layers) or node (Graph) to cut at; default `backbone.json`'s, else the model output. */
  layer?: string | undefined;
  pool: Pooling;
}

/**
 * Loads the model in `dir` and cuts it. Throws a `RangeError` listing the
 * available names when the layer does not exist.
 */
export function loadFeatureModel(
  rt: TensorRuntime,
  dir: string,
  info: BackboneInfo,
  options: FeatureModelOptions,
): Promise<FeatureModel> {
  const layer = options.layer ?? info.featureLayer ?? undefined;
  return info.modelFormat === "layers"
    ? layersFeatures(rt, dir, layer, options.pool)
    : graphFeatures(rt, dir, layer, options.pool);
}

async function layersFeatures(
  rt: TensorRuntime,
  dir: string,
  name: string | undefined,
  pool: Pooling,
): Promise<FeatureModel> {
  const { tf } = rt;
  const model = await loadLayersModelFromDir(rt, dir);
  const layer = name === undefined
    ? model.layers.at(-1)!
    : model.layers.find((l) => l.name === name);
  if (!layer) {
    model.dispose();
    throw new RangeError(
      `Backbone "${dir}" has no layer "${name}"; its layers are: ${
        model.layers.map((l) => l.name).join(", ")
      }`,
    );
  }
  let cut: ReturnType<Tf["model"]>;
  try {
    cut = tf.model({ inputs: model.inputs, outputs: layer.output as never });
  } catch (error) {
    model.dispose();
    throw new RangeError(
      `Cannot cut backbone "${dir}" at layer "${layer.name}": ${message(error)}`,
    );
  }
  return {
    layer: layer.name,
    apply: (x) =>
      Promise.resolve(tf.tidy(() => pooled(tf, cut.predict(x) as Tensor, pool, layer.name))),
    dispose: () => model.dispose(),
  };
}

async function graphFeatures(
  rt: TensorRuntime,
  dir: string,
  name: string | undefined,
  pool: Pooling,
): Promise<FeatureModel> {
  const { tf } = rt;
  const nodes = await graphNodeNames(dir);
  if (name !== undefined && !nodes.includes(name.replace(/:\d+$/, ""))) {
    throw new RangeError(
      `Backbone "${dir}" has no node "${name}"; its nodes are: ${listNames(nodes)}`,
    );
  }
  const model = await loadGraphModelFromDir(rt, dir);
  const node = name ?? model.outputNodes[0]!;
  // Graphs with control flow need executeAsync; the rest run faster synchronously.
  let useAsync = false;
  const run = async (x: Tensor): Promise<Tensor> => {
    if (!useAsync) {
      try {
        return model.execute(x, node) as Tensor;
      } catch (error) {
        if (!/executeAsync/.test(message(error))) throw error;
        useAsync = true;
      }
    }
    return await model.executeAsync(x, node) as Tensor;
  };
  return {
    layer: node,
    async apply(x) {
      const raw = await run(x);
      if (raw.rank === 2) return raw as TfCore.Tensor2D;
      try {
        return tf.tidy(() => pooled(tf, raw, pool, node));
      } finally {
        raw.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}

/** [n, d] from an output of any rank: spatial axes pooled or flattened. */
function pooled(tf: Tf, t: Tensor, pool: Pooling, name: string): TfCore.Tensor2D {
  if (t.rank === 2) return t as TfCore.Tensor2D;
  if (t.rank < 2) throw new RangeError(`Layer "${name}" outputs shape [${t.shape}], not a batch`);
  if (pool === "flatten") return tf.reshape(t, [t.shape[0]!, -1]);
  const axes = Array.from({ length: t.rank - 2 }, (_, i) => i + 1);
  return (pool === "avg" ? tf.mean(t, axes) : tf.max(t, axes)) as TfCore.Tensor2D;
}

/** Node names of a Graph model's topology, read from its model.json. */
async function graphNodeNames(dir: string): Promise<string[]> {
  const json = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
  const nodes = (json?.modelTopology?.node ?? []) as { name?: unknown; op?: unknown }[];
  return nodes.filter((n) => typeof n.name === "string" && n.op !== "Const")
    .map((n) => n.name as string);
}

const MAX_LISTED = 60;

function listNames(names: string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(", ");
  return names.length > MAX_LISTED ? `${shown} (and ${names.length - MAX_LISTED} more)` : shown;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
