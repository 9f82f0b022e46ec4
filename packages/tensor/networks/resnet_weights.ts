/**
 * torchvision ResNet weights (tensor names and PyTorch layouts, as in
 * torchvision/timm `model.safetensors` files) checked against a
 * {@linkcode ResNetSpec} and copied into the network `resnet()` builds:
 * conv `[O, I, kH, kW]` -> HWIO, `fc.weight` `[out, in]` -> `[in, out]`,
 * BatchNorm `weight, bias, running_mean, running_var` -> `gamma, beta,
 * moving_mean, moving_variance`. `num_batches_tracked` is ignored.
 *
 * @module
 */
import type * as TfLayers from "@tensorflow/tfjs-layers";
import type { Tf } from "../tf.ts";
import { RESNET_ARCHITECTURES, type ResNetArchitecture, type ResNetSpec } from "./resnet.ts";

/** Where the weights come from: a safetensors file satisfies it. */
export interface TorchTensorSource {
  readonly tensors: ReadonlyMap<string, { readonly shape: readonly number[] }>;
  readFloat32(name: string): Promise<Float32Array>;
}

type Kind = "conv" | "bn" | "fc";

/** A layer holding weights: its kind and PyTorch weight shape (conv OIHW, BN [C], fc [out, in]). */
type ParameterLayer = [name: string, kind: Kind, shape: number[]];

/** The layers holding weights, in build order. */
function parameterLayers(spec: ResNetSpec): ParameterLayer[] {
  const out: ParameterLayer[] = [];
  const convBn = (name: string, bn: string, shape: number[]) =>
    out.push([name, "conv", shape], [bn, "bn", [shape[0]!]]);
  convBn("conv1", "bn1", [spec.width, 3, 7, 7]);
  let channels = spec.width;
  spec.layers.forEach((blocks, stage) => {
    const planes = spec.width * 2 ** stage;
    const expanded = spec.block === "basic" ? planes : planes * 4;
    for (let i = 0; i < blocks; i++) {
      const name = `layer${stage + 1}.${i}`;
      const conv = (c: number, shape: number[]) =>
        convBn(`${name}.conv${c}`, `${name}.bn${c}`, shape);
      if (spec.block === "basic") {
        conv(1, [planes, channels, 3, 3]);
        conv(2, [planes, planes, 3, 3]);
      } else {
        conv(1, [planes, channels, 1, 1]);
        conv(2, [planes, planes, 3, 3]);
        conv(3, [expanded, planes, 1, 1]);
      }
      if ((stage > 0 && i === 0) || channels !== expanded) {
        convBn(`${name}.downsample.0`, `${name}.downsample.1`, [expanded, channels, 1, 1]);
      }
      channels = expanded;
    }
  });
  if (spec.classes !== null) out.push(["fc", "fc", [spec.classes, channels]]);
  return out;
}

const BN_TENSORS = ["weight", "bias", "running_mean", "running_var"];

/**
 * Every tensor a checkpoint of `spec` holds (but `num_batches_tracked`), with
 * its PyTorch shape.
 *
 * @example
 * ```ts
 * resnetTensorShapes(RESNET_ARCHITECTURES.resnet18).get("layer2.0.downsample.0.weight"); // [128, 64, 1, 1]
 * ```
 */
export function resnetTensorShapes(spec: ResNetSpec): Map<string, number[]> {
  const shapes = new Map<string, number[]>();
  for (const [name, kind, shape] of parameterLayers(spec)) {
    if (kind === "bn") { for (const t of BN_TENSORS) shapes.set(`${name}.${t}`, shape); }
    else shapes.set(`${name}.weight`, shape);
    if (kind === "fc") shapes.set("fc.bias", [shape[0]!]);
  }
  return shapes;
}

/** What does not fit between a checkpoint and a spec. */
export interface TensorMismatch {
  missing: string[];
  extra: string[];
  /** `name [file shape] (expected [shape])`. */
  misshaped: string[];
}

/**
 * Compares the tensors of `source` with what `spec` needs; null when they fit.
 *
 * @example
 * ```ts
 * const mismatch = compareResNetTensors(spec, file);
 * if (mismatch) console.log(mismatch.missing, mismatch.extra, mismatch.misshaped);
 * ```
 */
export function compareResNetTensors(
  spec: ResNetSpec,
  source: Pick<TorchTensorSource, "tensors">,
): TensorMismatch | null {
  const expected = resnetTensorShapes(spec);
  const mismatch: TensorMismatch = { missing: [], extra: [], misshaped: [] };
  for (const [name, shape] of expected) {
    const found = source.tensors.get(name);
    if (!found) mismatch.missing.push(name);
    else if (found.shape.join() !== shape.join()) {
      mismatch.misshaped.push(`${name} [${found.shape}] (expected [${shape}])`);
    }
  }
  for (const name of source.tensors.keys()) {
    if (!expected.has(name) && !name.endsWith(".num_batches_tracked")) mismatch.extra.push(name);
  }
  const fits = !mismatch.missing.length && !mismatch.extra.length && !mismatch.misshaped.length;
  return fits ? null : mismatch;
}

/**
 * The spec of a checkpoint declared as `architecture`: the block type from the
 * name; blocks per stage from `__metadata__.layers` (else the standard ones);
 * the width from `conv1.weight` (else 64); the classes from `fc.weight` or `fc.bias`
 * (null without `fc`). Throws a `RangeError` for metadata (`architecture`, `block`, `layers`)
 * that contradicts the name.
 *
 * @example
 * ```ts
 * const spec = resnetSpecOf("resnet50", file, file.metadata);
 * ```
 */
export function resnetSpecOf(
  architecture: ResNetArchitecture,
  source: Pick<TorchTensorSource, "tensors">,
  metadata: Readonly<Record<string, string>> = {},
): ResNetSpec {
  const standard = RESNET_ARCHITECTURES[architecture];
  const declared = metadata.architecture;
  if (declared !== undefined && declared in RESNET_ARCHITECTURES && declared !== architecture) {
    throw new RangeError(
      `The file's metadata says architecture "${declared}", not ${architecture}`,
    );
  }
  const block = metadata.block?.toLowerCase().replace(/block$/, "");
  if (block !== undefined && block !== standard.block) {
    throw new RangeError(
      `The file's metadata says block "${metadata.block}", but ${architecture} has ${standard.block} blocks`,
    );
  }
  let layers: ResNetSpec["layers"] = [...standard.layers];
  if (metadata.layers !== undefined) {
    const parsed = safeJson(metadata.layers);
    if (
      !Array.isArray(parsed) || parsed.length !== 4 ||
      !parsed.every((n) => Number.isInteger(n) && n > 0)
    ) {
      throw new RangeError(
        `The file's metadata "layers" is not four block counts: ${metadata.layers}`,
      );
    }
    layers = parsed as ResNetSpec["layers"];
  }
  const width = source.tensors.get("conv1.weight")?.shape[0] ?? standard.width;
  const fc = source.tensors.get("fc.weight") ?? source.tensors.get("fc.bias");
  const classes = fc?.shape[0] ?? null;
  return { block: standard.block, layers, width, classes };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Copies the checkpoint's tensors into `model` (built by `resnet(tf, spec)`),
 * one layer at a time. Check the tensors with {@linkcode compareResNetTensors} first.
 *
 * @example
 * ```ts
 * const model = resnet(rt.tf, spec);
 * await loadTorchResNetWeights(rt.tf, model, spec, file);
 * ```
 */
export async function loadTorchResNetWeights(
  tf: Tf,
  model: TfLayers.LayersModel,
  spec: ResNetSpec,
  source: TorchTensorSource,
): Promise<void> {
  const read = async (name: string) => {
    const shape = source.tensors.get(name)?.shape;
    if (!shape) throw new RangeError(`The checkpoint has no tensor "${name}"`);
    return tf.tensor(await source.readFloat32(name), [...shape], "float32");
  };
  for (const [name, kind] of parameterLayers(spec)) {
    const layer = model.getLayer(name);
    let values: InstanceType<Tf["Tensor"]>[];
    if (kind === "conv") {
      const oihw = await read(`${name}.weight`);
      values = [tf.transpose(oihw, [2, 3, 1, 0])];
      oihw.dispose();
    } else if (kind === "bn") {
      values = await Promise.all(BN_TENSORS.map((t) => read(`${name}.${t}`)));
    } else {
      const weight = await read("fc.weight");
      values = [tf.transpose(weight), await read("fc.bias")];
      weight.dispose();
    }
    layer.setWeights(values);
    tf.dispose(values);
  }
}
