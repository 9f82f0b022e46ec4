/** Loads a fetched backbone with the tensor runtime to prove it works, and measures its features. */
import type { Tensor } from "@tensorflow/tfjs-core";
import type { LayersModel } from "@tensorflow/tfjs-layers";
import type { TensorRuntime } from "@dropline/tensor";
import { TaskError } from "@dropline/task";

/** What the check needs to know about the model. */
export interface ModelCheck {
  dir: string;
  format: "layers" | "graph";
  /** [height, width, channels] of a test input. */
  inputShape: [number, number, number];
  featureLayer: string | null;
  log: (message: string) => void;
}

/** Runs one zero image through the model up to the feature layer; returns the feature length. */
export async function checkModel(check: ModelCheck): Promise<number | null> {
  const { loadTensorRuntime } = await import("@dropline/tensor");
  const rt = await loadTensorRuntime({ log: check.log });
  const input = rt.tf.zeros([1, ...check.inputShape]);
  try {
    const out = check.format === "layers"
      ? await probeLayers(rt, check, input)
      : await probeGraph(rt, check, input);
    const dimension = out.shape.at(-1) ?? null;
    out.dispose();
    return dimension;
  } catch (error) {
    if (error instanceof TaskError) throw error;
    throw new TaskError(`The fetched model does not load or run: ${(error as Error).message}`);
  } finally {
    input.dispose();
  }
}

async function probeLayers(rt: TensorRuntime, check: ModelCheck, input: Tensor): Promise<Tensor> {
  const { loadLayersModelFromDir } = await import("@dropline/tensor");
  const model = await loadLayersModelFromDir(rt, check.dir);
  try {
    const layer = check.featureLayer ? findLayer(model, check.featureLayer) : model.layers.at(-1)!;
    // A model sharing the loaded layers, cut at the feature layer.
    const probe = rt.tf.model({ inputs: model.inputs, outputs: layer.output as never });
    return probe.predict(input) as Tensor;
  } finally {
    model.dispose();
  }
}

async function probeGraph(rt: TensorRuntime, check: ModelCheck, input: Tensor): Promise<Tensor> {
  const { loadGraphModelFromDir } = await import("@dropline/tensor");
  const model = await loadGraphModelFromDir(rt, check.dir);
  try {
    return (check.featureLayer
      ? model.execute(input, check.featureLayer)
      : model.execute(input)) as Tensor;
  } finally {
    model.dispose();
  }
}

function findLayer(model: LayersModel, name: string) {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    const names = model.layers.map((l) => l.name).join(", ");
    throw new TaskError(`Feature layer "${name}" is not in the model (layers: ${names})`);
  }
  return layer;
}
