/**
 * How each convolution kernel splits along the batch: which inputs are cut,
 * how the two partial outputs combine, and the attributes each part needs.
 * Pure: shapes and attributes in, plans out.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";

type TensorInfo = TfCore.TensorInfo;
type Attrs = TfCore.NamedAttrMap;

/** How the batch halves of one output combine. */
export type Combine = "concat" | "sum";

/** A kernel that can be split, and how. */
export interface SplitRule {
  /** Inputs whose first axis is the batch. */
  batched: string[];
  /** Per output, in order. */
  combine: Combine[];
  /** The full output shape and the work in flops; undefined when not splittable. */
  plan(
    tf: typeof TfCore,
    inputs: Record<string, TensorInfo>,
    attrs: Attrs,
  ): { outShapes: number[][]; flops: number } | undefined;
  /** Attributes for a part holding `batch` examples. */
  partAttrs(attrs: Attrs, batch: number): Attrs;
}

const same = (attrs: Attrs) => attrs;

function nhwcFloat(attrs: Attrs, ...tensors: TensorInfo[]): boolean {
  return (attrs.dataFormat ?? "NHWC") === "NHWC" && tensors.every((t) => t.dtype === "float32");
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Flops of a convolution: two per multiply-add, per output element and filter tap. */
function convFlops(outShape: readonly number[], filterShape: readonly number[]): number {
  return 2 * size(outShape) * size(filterShape.slice(0, 3));
}

const forward: SplitRule = {
  batched: ["x"],
  combine: ["concat"],
  plan(tf, { x, filter }, attrs) {
    if (!x || !filter || !nhwcFloat(attrs, x, filter)) return;
    const { outShape } = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides as [number, number],
      (attrs.dilations as [number, number] | undefined) ?? 1,
      attrs.pad as "same",
      attrs.dimRoundingMode as "floor" | undefined,
    );
    return { outShapes: [outShape], flops: convFlops(outShape, filter.shape) };
  },
  partAttrs: same,
};

/**
 * Group norm runs in plain loops (a few ns per element); counted as this many
 * flop-equivalents per element so it splits at the same cost as a convolution.
 */
const GROUP_NORM_COST = 50;

const groupNorm: SplitRule = {
  batched: ["x"],
  combine: ["concat"],
  plan(_tf, { x }) {
    if (!x || x.dtype !== "float32") return;
    return { outShapes: [x.shape], flops: size(x.shape) * GROUP_NORM_COST };
  },
  partAttrs: same,
};

const groupNormGrad: SplitRule = {
  batched: ["dy", "x"],
  combine: ["concat", "sum", "sum"],
  plan(_tf, { x, gamma }) {
    if (!x || !gamma || x.dtype !== "float32") return;
    return {
      outShapes: [x.shape, gamma.shape, gamma.shape],
      flops: size(x.shape) * GROUP_NORM_COST,
    };
  },
  partAttrs: same,
};

/** The kernels the pool splits. */
export const SPLIT_RULES: Record<string, SplitRule> = {
  Conv2D: forward,
  FusedConv2D: forward,
  Conv2DBackpropInput: {
    batched: ["dy"],
    combine: ["concat"],
    plan(_tf, { dy, filter }, attrs) {
      if (!dy || !filter || !nhwcFloat(attrs, dy, filter)) return;
      return {
        outShapes: [attrs.inputShape as number[]],
        flops: convFlops(dy.shape, filter.shape),
      };
    },
    partAttrs: (attrs, batch) => ({
      ...attrs,
      inputShape: [batch, ...(attrs.inputShape as number[]).slice(1)],
    }),
  },
  DroplineGroupNorm: groupNorm,
  DroplineGroupNormGrad: groupNormGrad,
  Conv2DBackpropFilter: {
    batched: ["x", "dy"],
    combine: ["sum"],
    plan(_tf, { x, dy }, attrs) {
      if (!x || !dy || !nhwcFloat(attrs, x, dy)) return;
      const filterShape = attrs.filterShape as number[];
      return { outShapes: [filterShape], flops: convFlops(dy.shape, filterShape) };
    },
    partAttrs: same,
  },
};
