/**
 * Plain-array optimiser maths for fine-tuning: SGD with momentum (PyTorch's
 * form, v = mu v + g; w -= lr v) or Adam, with coupled weight decay (L2 added
 * to the gradient, as `torch.optim`'s `weight_decay`), an lr multiplier per
 * parameter group, and the L2-SP penalty of Li et al. (alpha/2 ||w - w0||^2 on
 * backbone weights, beta/2 ||w||^2 on head weights).
 *
 * @example
 * ```ts
 * const opt = new Optimizer({ kind: "sgd", momentum: 0.9 }, [{ size: 3, role: "head" }]);
 * opt.step([w], [g], 1e-3);
 * const saved = opt.state(); // goes into a checkpoint
 * ```
 */
export interface OptimizerOptions {
  kind: "sgd" | "adam";
  /** SGD momentum (default 0.9). */
  momentum?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Coupled L2 weight decay, added to every gradient. */
  weightDecay?: number;
  /** Learning-rate multiplier of the head's parameters. */
  headLrMult?: number;
  /** L2-SP pull of backbone weights towards their initial values. */
  l2spAlpha?: number;
  /** L2-SP penalty on the head's weights. */
  l2spBeta?: number;
}

/**
 * What the optimiser needs to know about one parameter tensor. A `buffer` is
 * state that is saved and restored with the parameters but not optimised
 * (BatchNorm running statistics): the optimiser leaves it alone.
 */
export interface ParamInfo {
  size: number;
  role: "head" | "backbone" | "buffer";
  /** Initial values, needed for L2-SP on backbone weights. */
  initial?: Float32Array;
}

/** A JSON-friendly snapshot, with slot arrays kept binary. */
export interface OptimizerState {
  t: number;
  slots: Float32Array[];
}

export class Optimizer {
  #options: OptimizerOptions;
  #params: ParamInfo[];
  #t = 0;
  #slots: Float32Array[];

  constructor(options: OptimizerOptions, params: ParamInfo[], state?: OptimizerState) {
    this.#options = options;
    this.#params = params;
    const perParam = options.kind === "adam" ? 2 : 1;
    this.#slots = state?.slots.map((s) => s.slice()) ??
      params.flatMap((p) =>
        Array.from({ length: perParam }, () => new Float32Array(p.role === "buffer" ? 0 : p.size))
      );
    if (this.#slots.length !== params.length * perParam) {
      throw new RangeError(
        `Optimizer state has "${this.#slots.length}" slots, expected "${params.length * perParam}"`,
      );
    }
    this.#t = state?.t ?? 0;
  }

  /** Updates `values` in place from `grads` (grads are not modified). */
  step(values: Float32Array[], grads: Float32Array[], lr: number): void {
    this.#t++;
    values.forEach((w, i) => {
      const info = this.#params[i]!;
      if (info.role === "buffer") return;
      const rate = lr * (info.role === "head" ? this.#options.headLrMult ?? 1 : 1);
      if (this.#options.kind === "adam") this.#adam(i, w, grads[i]!, rate);
      else this.#sgd(i, w, grads[i]!, rate);
    });
  }

  /** The state to save in a checkpoint. */
  state(): OptimizerState {
    return { t: this.#t, slots: this.#slots.map((s) => s.slice()) };
  }

  /** Gradient plus coupled weight decay and L2-SP terms, for element j. */
  #fullGrad(i: number, w: Float32Array, g: Float32Array, j: number): number {
    const info = this.#params[i]!;
    let grad = g[j]! + (this.#options.weightDecay ?? 0) * w[j]!;
    if (info.role === "backbone" && this.#options.l2spAlpha && info.initial) {
      grad += this.#options.l2spAlpha * (w[j]! - info.initial[j]!);
    } else if (info.role === "head" && this.#options.l2spBeta) {
      grad += this.#options.l2spBeta * w[j]!;
    }
    return grad;
  }

  #sgd(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const mu = this.#options.momentum ?? 0.9;
    const v = this.#slots[i]!;
    for (let j = 0; j < w.length; j++) {
      v[j] = mu * v[j]! + this.#fullGrad(i, w, g, j);
      w[j] = w[j]! - lr * v[j]!;
    }
  }

  #adam(i: number, w: Float32Array, g: Float32Array, lr: number): void {
    const b1 = this.#options.beta1 ?? 0.9, b2 = this.#options.beta2 ?? 0.999;
    const eps = this.#options.epsilon ?? 1e-8;
    const m = this.#slots[2 * i]!, v = this.#slots[2 * i + 1]!;
    const c1 = 1 - Math.pow(b1, this.#t), c2 = 1 - Math.pow(b2, this.#t);
    for (let j = 0; j < w.length; j++) {
      const grad = this.#fullGrad(i, w, g, j);
      m[j] = b1 * m[j]! + (1 - b1) * grad;
      v[j] = b2 * v[j]! + (1 - b2) * grad * grad;
      w[j] = w[j]! - lr * (m[j]! / c1) / (Math.sqrt(v[j]! / c2) + eps);
    }
  }
}

/** lr / (1 - momentum): the quantity that behaves consistently across momenta (Li et al.). */
export function effectiveLearningRate(lr: number, options: OptimizerOptions): number {
  return options.kind === "sgd" ? lr / (1 - (options.momentum ?? 0.9)) : lr;
}
