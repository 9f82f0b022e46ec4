/**
 * Group normalisation (Wu & He, 2018) as a TF.js Layers layer, which tfjs-layers
 * lacks: channels (last axis) are split into `groups` groups, each normalised
 * over its channels and all spatial positions of one example, then scaled and
 * shifted per channel. Matches PyTorch's `nn.GroupNorm(groups, channels)`.
 *
 * The layer is registered for serialisation under Keras' class name
 * `GroupNormalization`, so saved models load again.
 *
 * @module
 */
import type * as TfCore from "@tensorflow/tfjs-core";
import type * as TfLayers from "@tensorflow/tfjs-layers";
import type { Tf } from "./tf.ts";
import { GROUP_NORM, hasGroupNormKernel, registerGroupNormKernels } from "./group_norm_kernels.ts";

type Tensor = TfCore.Tensor;
type Layer = TfLayers.layers.Layer;
type LayerVariable = TfLayers.LayerVariable;

/** Options of the group normalisation layer. */
export interface GroupNormOptions {
  /** Number of channel groups; must divide the channel count. Default 8. */
  groups?: number;
  /** Added to the variance for stability. Default 1e-5 (PyTorch's). */
  epsilon?: number;
  /** Layer name. */
  name?: string;
  /** Input shape, when this is a model's first layer. */
  inputShape?: number[];
}

const classes = new WeakMap<object, new (options: GroupNormOptions) => Layer>();

/**
 * A new group normalisation layer.
 *
 * @example
 * ```ts
 * const rt = await loadTensorRuntime();
 * const model = rt.tf.sequential({ layers: [
 *   rt.tf.layers.conv2d({ filters: 64, kernelSize: 3, padding: "same", inputShape: [28, 28, 1] }),
 *   groupNorm(rt.tf, { groups: 8 }),
 * ] });
 * ```
 */
export function groupNorm(tf: Tf, options: GroupNormOptions = {}): Layer {
  return new (registerGroupNorm(tf))(options);
}

/**
 * Defines and registers the layer class with TF.js serialisation (idempotent),
 * so `loadLayersModel` recognises `GroupNormalization`.
 *
 * @example
 * ```ts
 * registerGroupNorm(rt.tf);
 * const model = await rt.tf.loadLayersModel(handler);
 * ```
 */
export function registerGroupNorm(tf: Tf): new (options: GroupNormOptions) => Layer {
  const known = classes.get(tf.serialization);
  if (known) return known;
  registerGroupNormKernels(tf);
  const cls = defineClass(tf);
  tf.serialization.registerClass(cls as never);
  classes.set(tf.serialization, cls);
  return cls;
}

function defineClass(tf: Tf) {
  return class GroupNormalization extends tf.layers.Layer {
    static className = "GroupNormalization";
    readonly groups: number;
    readonly epsilon: number;
    #gamma?: LayerVariable;
    #beta?: LayerVariable;

    constructor(options: GroupNormOptions) {
      super(options as ConstructorParameters<typeof tf.layers.Layer>[0]);
      this.groups = options.groups ?? 8;
      this.epsilon = options.epsilon ?? 1e-5;
      if (!Number.isInteger(this.groups) || this.groups < 1) {
        throw new RangeError(`Group norm needs a positive integer of groups, not "${this.groups}"`);
      }
    }

    override build(inputShape: TfLayers.Shape | TfLayers.Shape[]): void {
      const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as TfLayers.Shape;
      const channels = shape[shape.length - 1];
      if (typeof channels !== "number" || channels % this.groups !== 0) {
        throw new RangeError(
          `Group norm cannot split "${channels}" channels into "${this.groups}" groups`,
        );
      }
      const ones = tf.initializers.ones();
      const zeros = tf.initializers.zeros();
      this.#gamma = this.addWeight("gamma", [channels], "float32", ones);
      this.#beta = this.addWeight("beta", [channels], "float32", zeros);
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[]): Tensor {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return groupNormAffine(
        tf,
        x,
        this.#gamma!.read(),
        this.#beta!.read(),
        this.groups,
        this.epsilon,
      );
    }

    override computeOutputShape(inputShape: TfLayers.Shape | TfLayers.Shape[]) {
      return inputShape;
    }

    override getConfig() {
      return { ...super.getConfig(), groups: this.groups, epsilon: this.epsilon };
    }
  };
}

/**
 * Group norm with per-channel scale `gamma` and shift `beta`: one fused kernel
 * on the wasm and cpu backends, TF.js ops elsewhere.
 *
 * @example
 * ```ts
 * const y = groupNormAffine(rt.tf, x, tf.ones([16]), tf.zeros([16]), 8, 1e-5);
 * ```
 */
export function groupNormAffine(
  tf: Tf,
  x: Tensor,
  gamma: Tensor,
  beta: Tensor,
  groups: number,
  epsilon: number,
): Tensor {
  if (hasGroupNormKernel(tf)) {
    return tf.engine().runKernel(GROUP_NORM, { x, gamma, beta }, { groups, epsilon }) as Tensor;
  }
  return tf.tidy(() => tf.add(tf.mul(groupNormalize(tf, x, groups, epsilon), gamma), beta));
}

/**
 * Normalises `x` (channels last) per example and channel group to zero mean and
 * unit variance, with the analytic gradient (fewer ops than differentiating the
 * forward pass).
 *
 * @example
 * ```ts
 * const y = groupNormalize(rt.tf, rt.tf.randomNormal([2, 4, 4, 16]), 8, 1e-5);
 * ```
 */
export function groupNormalize(tf: Tf, x: Tensor, groups: number, epsilon: number): Tensor {
  const shape = x.shape;
  const channels = shape[shape.length - 1]!;
  const spatial = shape.slice(1, -1).reduce((a, b) => a * b, 1);
  const grouped = [shape[0]!, spatial, groups, channels / groups];
  const axes = [1, 3];
  const f = tf.customGrad(
    ((input: Tensor, save: TfCore.GradSaveFunc) => {
      const xr = tf.reshape(input, grouped);
      const { mean, variance } = tf.moments(xr, axes, true);
      const rstd = tf.rsqrt(tf.add(variance, epsilon));
      const xhat = tf.mul(tf.sub(xr, mean), rstd);
      save([xhat, rstd]);
      return {
        value: tf.reshape(xhat, shape),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [savedXhat, savedRstd] = saved as [Tensor, Tensor];
          const g = tf.reshape(dy, grouped);
          const meanG = tf.mean(g, axes, true);
          const meanGX = tf.mean(tf.mul(g, savedXhat), axes, true);
          const dx = tf.mul(tf.sub(tf.sub(g, meanG), tf.mul(savedXhat, meanGX)), savedRstd);
          return tf.reshape(dx, shape);
        },
      };
    }) as never,
  ) as (input: Tensor) => Tensor;
  return f(x);
}
