/** Pure reading of a TF.js `model.json`: format, weight files and sizes, input shape, feature layer. */

/** A parsed `model.json` (only the fields read here). */
export interface ModelJson {
  format?: string;
  modelTopology?: Record<string, unknown>;
  weightsManifest?: { paths: string[]; weights: WeightSpec[] }[];
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

type Layer = { class_name?: string; config?: Record<string, unknown> };

const DTYPE_BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** "layers" for a tf.LayersModel, "graph" for a tf.GraphModel, null when neither. */
export function modelFormatOf(json: ModelJson): "layers" | "graph" | null {
  if (json.format === "graph-model") return "graph";
  if (json.format === "layers-model") return "layers";
  const topology = json.modelTopology ?? {};
  if (Array.isArray(topology.node)) return "graph";
  if ("class_name" in topology || "model_config" in topology) return "layers";
  return null;
}

/** Every weight file the manifest names, in order. */
export function weightPathsOf(json: ModelJson): string[] {
  return (json.weightsManifest ?? []).flatMap((group) => group.paths);
}

/** Bytes the manifest's weights occupy, or null when a dtype's size is unknown (strings). */
export function expectedWeightBytes(json: ModelJson): number | null {
  let total = 0;
  for (const spec of (json.weightsManifest ?? []).flatMap((group) => group.weights)) {
    const bytes = DTYPE_BYTES[spec.quantization?.dtype ?? spec.dtype];
    if (bytes === undefined) return null;
    total += spec.shape.reduce((a, b) => a * b, 1) * bytes;
  }
  return total;
}

/** The Layers model's layers (Sequential or functional, old and new topology layouts). */
function layersOf(json: ModelJson): Layer[] {
  const topology = json.modelTopology ?? {};
  const model = (topology.model_config ?? topology) as Layer;
  const config = model.config as unknown;
  if (Array.isArray(config)) return config as Layer[];
  const layers = (config as { layers?: unknown } | undefined)?.layers;
  return Array.isArray(layers) ? layers as Layer[] : [];
}

/** [height, width, channels] of the model input when the model fixes them. */
export function inputShapeOf(json: ModelJson): [number, number, number] | null {
  const shape = modelFormatOf(json) === "graph" ? placeholderShape(json) : layersInputShape(json);
  if (!shape || shape.length !== 4) return null;
  const [, h, w, c] = shape;
  return h! > 0 && w! > 0 && c! > 0 ? [h!, w!, c!] : null;
}

function layersInputShape(json: ModelJson): number[] | null {
  for (const layer of layersOf(json)) {
    const config = layer.config ?? {};
    const shape = config.batch_input_shape ?? config.batchInputShape ?? config.batch_shape;
    if (Array.isArray(shape)) return shape.map((d) => (d === null ? -1 : Number(d)));
  }
  return null;
}

function placeholderShape(json: ModelJson): number[] | null {
  const nodes = (json.modelTopology?.node ?? []) as {
    op?: string;
    attr?: Record<string, unknown>;
  }[];
  const input = nodes.find((node) => node.op === "Placeholder");
  const dims =
    (input?.attr?.shape as { shape?: { dim?: { size?: string | number }[] } } | undefined)
      ?.shape?.dim;
  return dims ? dims.map((d) => Number(d.size ?? -1)) : null;
}

const PASS_THROUGH = /^(Dropout|Activation|Softmax|Reshape)$/;

/**
 * The layer whose output makes a good feature vector: the last global pooling
 * layer, else the input of the final Dense layer (the classifier); null (the
 * model's output) for Graph models or when neither exists.
 */
export function defaultFeatureLayer(json: ModelJson): string | null {
  if (modelFormatOf(json) !== "layers") return null;
  const layers = layersOf(json);
  const name = (layer: Layer | undefined) => (layer?.config?.name as string | undefined) ?? null;
  const pooling = layers.findLast((layer) =>
    /^Global(Average|Max)Pooling[123]D$/.test(layer.class_name ?? "")
  );
  if (pooling) return name(pooling);
  let i = layers.length - 1;
  while (i >= 0 && PASS_THROUGH.test(layers[i]!.class_name ?? "")) i--;
  if (i < 1 || layers[i]!.class_name !== "Dense") return null;
  i--;
  while (i >= 0 && PASS_THROUGH.test(layers[i]!.class_name ?? "")) i--;
  return i >= 0 ? name(layers[i]) : null;
}
