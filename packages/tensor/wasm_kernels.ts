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
import { col2im, type ConvGeometry } from "./_im2col.ts";
import { depthwiseFilterGrad, depthwiseInputGrad } from "./_depthwise_grad.ts";
import { WasmOps } from "./_wasm_ops.ts";
import { gemmFilterGrad, gemmInputGradColumns, registerGemmConv } from "./gemm_conv.ts";

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
  // The forward convolution too: the gradients above call it.
  registerGemmConv(tf);
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

/**
 * dW as a convolution of x (batch moved to channels, `[C, H, W, N]`) with dy
 * (`[OH, OW, N, CO]`) as the filter, dilated by the stride: the result
 * `[C, KH, KW, CO]` is dW up to a transpose. XNNPACK runs this directly from x
 * (no im2col matrix) and packs only dy.
 */
function conv2DBackpropFilter(tf: typeof TfCore, { inputs, backend, attrs = {} }: KernelArgs) {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const filterShape = attrs.filterShape as number[];
  const info = convInfo(tf, x.shape, filterShape, attrs, false);
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) {
    throw new Error("The wasm filter gradient supports dilation 1 only");
  }
  const viaGemm = gemmFilterGrad(info, x, dy, backend);
  if (viaGemm) return viaGemm;
  const ops = new WasmOps(tf, backend);
  const xT = ops.transpose(x, [3, 1, 2, 0]);
  const dyT = ops.transpose(dy, [1, 2, 0, 3]);
  const { top, bottom, left, right } = info.padInfo;
  const raw = ops.run("Conv2D", { x: xT, filter: dyT }, {
    strides: [1, 1],
    dilations: [info.strideHeight, info.strideWidth],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: "NHWC",
  });
  ops.dispose(xT, dyT);
  // Padding that the forward pass never reached adds rows or columns past the filter.
  const [c, kh, kw, co] = [info.inChannels, info.filterHeight, info.filterWidth, info.outChannels];
  const fitted = raw.shape[1] === kh && raw.shape[2] === kw
    ? raw
    : ops.run("Slice", { x: raw }, { begin: [0, 0, 0, 0], size: [c, kh, kw, co] });
  if (fitted !== raw) ops.dispose(raw);
  const dw = ops.transpose(fitted, [1, 2, 0, 3]);
  ops.dispose(fitted);
  return dw;
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
  const columns = gemmInputGradColumns(info, dy, filter, backend);
  if (columns) {
    const dx = ops.alloc(inputShape);
    col2im(columns, geometry(info), ops.view(dx));
    return dx;
  }
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
