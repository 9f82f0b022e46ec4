/** Loads a fetched backbone with the tensor runtime to prove it works, and measures its features. */
import { TaskError } from "../lib/task.ts";

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
  const { loadTensorRuntime } = await import("../lib/tensor/runtime.ts");
  const io = await import("../lib/tensor/fs_io.ts");
  const rt = await loadTensorRuntime({ log: check.log });
  const { tf } = rt;
  const input = tf.zeros([1, ...check.inputShape]);
  try {
    if (check.format === "layers") {
      const model = await io.loadLayersModelFromDir(rt, check.dir);
      try {
        const layer = check.featureLayer
          ? findLayer(model, check.featureLayer)
          : model.layers.at(-1)!;
        const probe = tf.model({ inputs: model.inputs, outputs: layer.output as never });
        const out = probe.predict(input) as import("@tensorflow/tfjs-core").Tensor;
        const dimension = out.shape.at(-1) ?? null;
        out.dispose();
        return dimension;
      } finally {
        model.dispose();
      }
    }
    const model = await io.loadGraphModelFromDir(rt, check.dir);
    try {
      const out = (check.featureLayer
        ? model.execute(input, check.featureLayer)
        : model.execute(input)) as import("@tensorflow/tfjs-core").Tensor;
      const dimension = out.shape.at(-1) ?? null;
      out.dispose();
      return dimension;
    } finally {
      model.dispose();
    }
  } catch (error) {
    if (error instanceof TaskError) throw error;
    throw new TaskError(`The fetched model does not load or run: ${(error as Error).message}`);
  } finally {
    input.dispose();
  }
}

function findLayer(model: import("@tensorflow/tfjs-layers").LayersModel, name: string) {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    const names = model.layers.map((l) => l.name).join(", ");
    throw new TaskError(`Feature layer "${name}" is not in the model (layers: ${names})`);
  }
  return layer;
}
