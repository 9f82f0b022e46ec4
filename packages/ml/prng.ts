/**
 * The one seeded pseudo-random generator of the ML side (sfc32): every seeded
 * choice - batches, dropout masks, initial weights, data set splits,
 * shuffles and label noise - draws from it, so results are reproducible
 * across machines and runtimes. Its whole state is four 32-bit words, so a
 * training run can save it in a checkpoint and resume with exactly the same
 * batches and dropout masks as an uninterrupted run.
 *
 * @example
 * ```ts
 * const rng = Prng.fromSeed(42);
 * const u = rng.next(); // in [0, 1)
 * const saved = rng.state();
 * const again = Prng.fromState(saved); // continues the same stream
 * Prng.fromParts("split", 0, 3).shuffle([1, 2, 3, 4]); // seed 0, domain 3
 * ```
 */
export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  private constructor(a: number, b: number, c: number, d: number) {
    this.#a = a >>> 0;
    this.#b = b >>> 0;
    this.#c = c >>> 0;
    this.#d = d >>> 0;
  }

  /** A generator seeded from an integer (any two different seeds give unrelated streams). */
  static fromSeed(seed: number): Prng {
    // splitmix32 spreads nearby seeds apart before sfc32 takes over.
    let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
    const mix = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    const rng = new Prng(mix(), mix(), mix(), mix());
    for (let i = 0; i < 12; i++) rng.nextUint32();
    return rng;
  }

  /**
   * A generator seeded from a list of numbers and strings (e.g. a purpose, a
   * seed and a domain): `(1, 23)`, `(12, 3)` and `("1", 23)` give unrelated streams.
   */
  static fromParts(...parts: (number | string)[]): Prng {
    // FNV-1a over the parts' text, with their types, so that neighbours differ.
    let hash = 0x811c9dc5;
    for (const char of parts.map((part) => `${typeof part}:${part}`).join("\u0000")) {
      hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
    }
    return Prng.fromSeed(hash);
  }

  /** A generator continuing from a state returned by `state()`. */
  static fromState(state: readonly number[]): Prng {
    if (state.length !== 4 || state.some((w) => !Number.isInteger(w))) {
      throw new RangeError(`Invalid generator state "${JSON.stringify(state)}"`);
    }
    return new Prng(state[0]!, state[1]!, state[2]!, state[3]!);
  }

  /** The four state words (plain numbers, JSON-safe). */
  state(): number[] {
    return [this.#a, this.#b, this.#c, this.#d];
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const t = (((this.#a + this.#b) >>> 0) + this.#d) >>> 0;
    this.#d = (this.#d + 1) >>> 0;
    this.#a = this.#b ^ (this.#b >>> 9);
    this.#b = (this.#c + (this.#c << 3)) >>> 0;
    this.#c = ((this.#c << 21) | (this.#c >>> 11)) >>> 0;
    this.#c = (this.#c + t) >>> 0;
    return t;
  }

  /** Fills `out` with the next `out.length` values of `nextUint32()`, much faster than calling it. */
  fillUint32(out: Uint32Array): Uint32Array {
    let a = this.#a, b = this.#b, c = this.#c, d = this.#d;
    for (let i = 0; i < out.length; i++) {
      const t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((((c << 21) | (c >>> 11)) >>> 0) + t) >>> 0;
      out[i] = t;
    }
    [this.#a, this.#b, this.#c, this.#d] = [a, b, c, d];
    return out;
  }

  /** A float uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer uniform in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Shuffles `items` in place (Fisher-Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
