/**
 * torchvision's ResNet (V1.5: a Bottleneck strides on its 3x3 convolution) as
 * a trainable TF.js Layers model made of standard serialisable layers only
 * (ZeroPadding2D, Conv2D, BatchNormalization, ReLU, Add, MaxPooling2D,
 * GlobalAveragePooling2D, Dense), so `tf.loadLayersModel` reads it anywhere.
 *
 * Layer names are torchvision's module names (`conv1`, `bn1`,
 * `layer1.0.conv1`, `layer2.0.downsample.0`, `fc`); helper layers add a
 * suffix (`layer2.0.conv1_pad`, `layer1.0.relu1`, `layer1.0.add`,
 * `layer1.0.out`). PyTorch semantics, not TF's defaults: BatchNorm epsilon
 * 1e-5 and momentum 0.9 (PyTorch's 0.1), and explicit symmetric zero padding
 * with 'valid' before every strided convolution and the stem max-pool (TF's
 * 'same' pads bottom/right only when the input size is even). The global
 * average pool (`avgpool`) is the feature layer; `fc`, when present, is the
 * model's output.
 *
 * @module
 */
import type * as TfLayers from "@tensorflow/tfjs-layers";
import type { Tf } from "../tf.ts";

/** The shape of a ResNet: block type, blocks per stage, widths. */
export interface ResNetSpec {
  block: "basic" | "bottleneck";
  /** Blocks in layer1..layer4. */
  layers: [number, number, number, number];
  /** Channels of the stem and of layer1's 3x3 convolutions (torchvision: 64). */
  width: number;
  /** Units of `fc`; null builds no `fc` (the model's output is then `avgpool`). */
  classes: number | null;
}

/** The torchvision architectures by name (1000 ImageNet classes). */
export const RESNET_ARCHITECTURES = {
  resnet18: { block: "basic", layers: [2, 2, 2, 2], width: 64, classes: 1000 },
  resnet34: { block: "basic", layers: [3, 4, 6, 3], width: 64, classes: 1000 },
  resnet50: { block: "bottleneck", layers: [3, 4, 6, 3], width: 64, classes: 1000 },
} as const satisfies Record<string, ResNetSpec>;

/** A torchvision architecture name. */
export type ResNetArchitecture = keyof typeof RESNET_ARCHITECTURES;

/** Name of the global-average-pooling layer: the penultimate representation. */
export const RESNET_FEATURES = "avgpool";

/** Options of {@linkcode resnet}. */
export interface ResNetOptions {
  /** [height, width]; null (the default) accepts any size. */
  inputSize?: [number, number] | null;
  /** Model name; default "resnet". */
  name?: string;
}

type SymbolicTensor = TfLayers.SymbolicTensor;

/**
 * Builds the (randomly initialised, uncompiled) network; load weights with
 * `loadTorchResNetWeights`.
 *
 * @example
 * ```ts
 * const rt = await loadTensorRuntime();
 * const model = resnet(rt.tf, RESNET_ARCHITECTURES.resnet50);
 * model.getLayer(RESNET_FEATURES).outputShape; // [null, 2048]
 * ```
 */
export function resnet(
  tf: Tf,
  spec: ResNetSpec,
  options: ResNetOptions = {},
): TfLayers.LayersModel {
  const [h, w] = options.inputSize ?? [null, null];
  const input = tf.input({ shape: [h, w, 3], name: "input" });
  let x = stem(tf, spec.width, input);
  let channels = spec.width;
  spec.layers.forEach((blocks, stage) => {
    const planes = spec.width * 2 ** stage;
    for (let i = 0; i < blocks; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const name = `layer${stage + 1}.${i}`;
      x = spec.block === "basic"
        ? basicBlock(tf, x, { name, planes, stride, channels })
        : bottleneck(tf, x, { name, planes, stride, channels });
      channels = planes * (spec.block === "basic" ? 1 : 4);
    }
  });
  let output = tf.layers.globalAveragePooling2d({ name: RESNET_FEATURES }).apply(
    x,
  ) as SymbolicTensor;
  if (spec.classes !== null) {
    output = tf.layers.dense({ units: spec.classes, name: "fc" }).apply(output) as SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: output, name: options.name ?? "resnet" });
}

function stem(tf: Tf, width: number, input: SymbolicTensor): SymbolicTensor {
  let x = conv(tf, input, { name: "conv1", filters: width, kernel: 7, stride: 2, pad: 3 });
  x = batchNorm(tf, x, "bn1");
  x = relu(tf, x, "relu");
  x = tf.layers.zeroPadding2d({ padding: 1, name: "maxpool_pad" }).apply(x) as SymbolicTensor;
  // Zero padding equals PyTorch's -inf padding here: the input is post-ReLU.
  return tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: "valid", name: "maxpool" })
    .apply(x) as SymbolicTensor;
}

interface BlockArgs {
  name: string;
  planes: number;
  stride: number;
  /** Input channels. */
  channels: number;
}

function basicBlock(tf: Tf, input: SymbolicTensor, b: BlockArgs): SymbolicTensor {
  let x = conv(tf, input, {
    name: `${b.name}.conv1`,
    filters: b.planes,
    kernel: 3,
    stride: b.stride,
    pad: 1,
  });
  x = relu(tf, batchNorm(tf, x, `${b.name}.bn1`), `${b.name}.relu1`);
  x = conv(tf, x, { name: `${b.name}.conv2`, filters: b.planes, kernel: 3, stride: 1, pad: 1 });
  x = batchNorm(tf, x, `${b.name}.bn2`);
  return residual(tf, input, x, b, b.planes);
}

function bottleneck(tf: Tf, input: SymbolicTensor, b: BlockArgs): SymbolicTensor {
  let x = conv(tf, input, {
    name: `${b.name}.conv1`,
    filters: b.planes,
    kernel: 1,
    stride: 1,
    pad: 0,
  });
  x = relu(tf, batchNorm(tf, x, `${b.name}.bn1`), `${b.name}.relu1`);
  x = conv(tf, x, {
    name: `${b.name}.conv2`,
    filters: b.planes,
    kernel: 3,
    stride: b.stride,
    pad: 1,
  });
  x = relu(tf, batchNorm(tf, x, `${b.name}.bn2`), `${b.name}.relu2`);
  x = conv(tf, x, { name: `${b.name}.conv3`, filters: b.planes * 4, kernel: 1, stride: 1, pad: 0 });
  x = batchNorm(tf, x, `${b.name}.bn3`);
  return residual(tf, input, x, b, b.planes * 4);
}

/** Adds the shortcut (a strided 1x1 conv + BN when the shape changes) and applies ReLU. */
function residual(
  tf: Tf,
  input: SymbolicTensor,
  x: SymbolicTensor,
  b: BlockArgs,
  out: number,
): SymbolicTensor {
  let shortcut = input;
  if (b.stride !== 1 || b.channels !== out) {
    const name = `${b.name}.downsample`;
    shortcut = conv(tf, input, {
      name: `${name}.0`,
      filters: out,
      kernel: 1,
      stride: b.stride,
      pad: 0,
    });
    shortcut = batchNorm(tf, shortcut, `${name}.1`);
  }
  const sum = tf.layers.add({ name: `${b.name}.add` }).apply([x, shortcut]) as SymbolicTensor;
  return relu(tf, sum, `${b.name}.out`);
}

interface ConvArgs {
  name: string;
  filters: number;
  kernel: number;
  stride: number;
  /** PyTorch's symmetric zero padding. */
  pad: number;
}

function conv(tf: Tf, input: SymbolicTensor, c: ConvArgs): SymbolicTensor {
  // A stride-1 convolution with pad (k - 1) / 2 is TF's 'same', which then pads symmetrically.
  const same = c.stride === 1 && c.pad * 2 === c.kernel - 1;
  let x = input;
  if (c.pad > 0 && !same) {
    x = tf.layers.zeroPadding2d({ padding: c.pad, name: `${c.name}_pad` }).apply(
      x,
    ) as SymbolicTensor;
  }
  return tf.layers.conv2d({
    name: c.name,
    filters: c.filters,
    kernelSize: c.kernel,
    strides: c.stride,
    padding: same ? "same" : "valid",
    useBias: false,
  }).apply(x) as SymbolicTensor;
}

function batchNorm(tf: Tf, input: SymbolicTensor, name: string): SymbolicTensor {
  return tf.layers.batchNormalization({ name, axis: -1, epsilon: 1e-5, momentum: 0.9 })
    .apply(input) as SymbolicTensor;
}

function relu(tf: Tf, input: SymbolicTensor, name: string): SymbolicTensor {
  return tf.layers.reLU({ name }).apply(input) as SymbolicTensor;
}
