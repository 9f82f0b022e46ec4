/**
 * Gradient kernels the wasm backend lacks or runs slowly, so convolutional nets
 * train on it: `Conv2DBackpropFilter` (missing), `Conv2DBackpropInput` (present
 * but ~10x slower than the forward convolution), and the depthwise pair.
 *
 * The heavy ones are rewritten as what wasm does fast: one large matrix product
 * (XNNPACK) over an im2col matrix, or, for a stride-1 input gradient, a forward
 * convolution with the flipped filter.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import { col2im, type ConvGeometry, im2col } from "./_im2col.ts";
import { depthwiseFilterGrad, depthwiseInputGrad } from "./_depthwise_grad.ts";
import { WasmOps } from "./_wasm_ops.ts";

type TensorInfo = TfCore.TensorInfo;
type Conv2DInfo = TfCore.backend_util.Conv2DInfo;
type KernelArgs = {
  inputs: Record<string, TensorInfo>;
  backend: unknown;
  attrs?: TfCore.NamedAttrMap;
};

/** The kernels {@linkcode registerWasmGradientKernels} installs, by name. */
export const WASM_GRADIENT_KERNELS = [
  "Conv2DBackpropFilter",
  "Conv2DBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "DepthwiseConv2dNativeBackpropInput",
] as const;

/**
 * Registers our gradient kernels for the `wasm` backend (replacing any it has).
 * Idempotent.
 *
 * @example
 * ```ts
 * const tf = await import("@tensorflow/tfjs-core");
 * await import("@tensorflow/tfjs-backend-wasm");
 * registerWasmGradientKernels(tf);
 * ```
 */
export function registerWasmGradientKernels(tf: typeof TfCore): void {
  const impls: Record<(typeof WASM_GRADIENT_KERNELS)[number], (a: KernelArgs) => TensorInfo> = {
    Conv2DBackpropFilter: (a) => conv2DBackpropFilter(tf, a),
    Conv2DBackpropInput: (a) => conv2DBackpropInput(tf, a),
    DepthwiseConv2dNativeBackpropFilter: (a) => depthwiseBackpropFilter(tf, a),
    DepthwiseConv2dNativeBackpropInput: (a) => depthwiseBackpropInput(tf, a),
  };
  for (const [kernelName, impl] of Object.entries(impls)) {
    if (tf.getKernel(kernelName, "wasm")) tf.unregisterKernel(kernelName, "wasm");
    tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: impl as never });
  }
}

function convInfo(
  tf: typeof TfCore,
  inShape: number[],
  filterShape: number[],
  attrs: TfCore.NamedAttrMap,
  depthwise: boolean,
): Conv2DInfo {
  const format = (attrs.dataFormat as string | undefined) ?? "NHWC";
  if (format !== "NHWC") {
    throw new Error(`The wasm gradient kernels support only "NHWC" data, not "${format}"`);
  }
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
    depthwise,
  );
}

function geometry(info: Conv2DInfo): ConvGeometry {
  return { ...info, padTop: info.padInfo.top, padLeft: info.padInfo.left };
}

/** dW = im2col(x)ᵀ · dy, computed as (dyᵀ · im2col(x))ᵀ: wasm's matmul is slow on transposed operands. */
function conv2DBackpropFilter(tf: typeof TfCore, { inputs, backend, attrs = {} }: KernelArgs) {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(tf, x.shape, filterShape, attrs, false);
  const ops = new WasmOps(tf, backend);
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const col = ops.alloc([rows, depth]);
  im2col(ops.view(x), geometry(info), ops.view(col));
  const dyT = ops.transpose(ops.reshape(dy, [rows, info.outChannels]), [1, 0]);
  const dwT = ops.matMul(dyT, col);
  ops.dispose(col, dyT);
  const dw = ops.transpose(dwT, [1, 0]);
  ops.dispose(dwT);
  return ops.finish(dw, filterShape);
}

/**
 * Stride 1: a forward convolution of dy with the flipped, transposed filter.
 * Otherwise: col = dy · Wᵀ, then col2im.
 */
function conv2DBackpropInput(tf: typeof TfCore, { inputs, backend, attrs = {} }: KernelArgs) {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(tf, inputShape, filter.shape, attrs, false);
  const ops = new WasmOps(tf, backend);
  if (info.strideHeight === 1 && info.strideWidth === 1) return flippedConv(ops, info, dy, filter);
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const depth = info.filterHeight * info.filterWidth * info.inChannels;
  const wT = ops.transpose(ops.reshape(filter, [depth, info.outChannels]), [1, 0]);
  const col = ops.matMul(ops.reshape(dy, [rows, info.outChannels]), wT);
  ops.dispose(wT);
  const dx = ops.alloc(inputShape);
  col2im(ops.view(col), geometry(info), ops.view(dx));
  ops.dispose(col);
  return dx;
}

function flippedConv(ops: WasmOps, info: Conv2DInfo, dy: TensorInfo, filter: TensorInfo) {
  const flipped = ops.run("Reverse", { x: filter }, { dims: [0, 1] });
  const w = ops.transpose(flipped, [0, 1, 3, 2]);
  ops.dispose(flipped);
  const { top, bottom, left, right } = info.padInfo;
  const kh = info.filterHeight - 1;
  const kw = info.filterWidth - 1;
  const dx = ops.run("Conv2D", { x: dy, filter: w }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [[0, 0], [kh - top, kh - bottom], [kw - left, kw - right], [0, 0]],
    dataFormat: "NHWC",
  });
  ops.dispose(w);
  return dx;
}

function depthwiseBackpropFilter(tf: typeof TfCore, { inputs, backend, attrs = {} }: KernelArgs) {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(tf, x.shape, filterShape, attrs, true);
  const ops = new WasmOps(tf, backend);
  const dw = ops.alloc(filterShape);
  depthwiseFilterGrad(ops.view(x), ops.view(dy), geometry(info), filterShape[3]!, ops.view(dw));
  return dw;
}

function depthwiseBackpropInput(tf: typeof TfCore, { inputs, backend, attrs = {} }: KernelArgs) {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(tf, inputShape, filter.shape, attrs, true);
  const ops = new WasmOps(tf, backend);
  const dx = ops.alloc(inputShape);
  const multiplier = filter.shape[3]!;
  depthwiseInputGrad(ops.view(dy), ops.view(filter), geometry(info), multiplier, ops.view(dx));
  return dx;
}
