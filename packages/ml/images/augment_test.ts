import assert from "node:assert/strict";
import {
  adjustBrightness,
  adjustContrast,
  adjustHue,
  adjustSaturation,
  toGrayscale,
} from "./color_jitter.ts";
import { augmentImage, augmentRandom, DOMAINBED_AUGMENT, randomCrop } from "./augment.ts";
import { cropResize } from "./resize.ts";
import { Prng } from "../prng.ts";

// Expected values computed by torchvision 0.14 (torchvision.transforms.functional on tensors)
// from the same 2x3 RGB image; see the commit that added this test for the script.
const INPUT = [127, 125, 6, 196, 229, 43, 23, 116, 75, 34, 161, 132, 78, 89, 178, 162, 102, 204];
const TORCHVISION: Record<string, number[]> = {
  "brightness 1.2": [
    0.597647,
    0.588235,
    0.028235,
    0.922353,
    1.0,
    0.202353,
    0.108235,
    0.545882,
    0.352941,
    0.16,
    0.757647,
    0.621177,
    0.367059,
    0.418824,
    0.837647,
    0.762353,
    0.48,
    0.96,
  ],
  "contrast 0.7": [
    0.493836,
    0.488346,
    0.161679,
    0.683248,
    0.773836,
    0.263248,
    0.208346,
    0.46364,
    0.351091,
    0.238542,
    0.587169,
    0.507562,
    0.359326,
    0.389522,
    0.633836,
    0.589915,
    0.425209,
    0.705209,
  ],
  "saturation 1.3": [
    0.515664,
    0.505467,
    0.0,
    0.766381,
    0.934616,
    0.0,
    0.019,
    0.493118,
    0.284098,
    0.032489,
    0.67994,
    0.532097,
    0.284883,
    0.340962,
    0.794687,
    0.671116,
    0.365233,
    0.885233,
  ],
  "hue 0.2": [
    0.023529,
    0.498039,
    0.110588,
    0.168627,
    0.898039,
    0.443922,
    0.090196,
    0.178039,
    0.454902,
    0.133333,
    0.147451,
    0.631373,
    0.698039,
    0.305882,
    0.662745,
    0.8,
    0.4,
    0.484706,
  ],
  "hue -0.3": [
    0.498039,
    0.023529,
    0.410981,
    0.898039,
    0.168627,
    0.622745,
    0.454902,
    0.367059,
    0.090196,
    0.631373,
    0.617255,
    0.133333,
    0.305882,
    0.698039,
    0.341176,
    0.4,
    0.8,
    0.715294,
  ],
  "grayscale": [
    0.439291,
    0.439291,
    0.439291,
    0.776115,
    0.776115,
    0.776115,
    0.327516,
    0.327516,
    0.327516,
    0.469481,
    0.469481,
    0.469481,
    0.375879,
    0.375879,
    0.375879,
    0.515889,
    0.515889,
    0.515889,
  ],
};
// torchvision resized_crop(arange(30)/255 as 5x6, top 1, left 2, height 3, width 4, [5, 7]).
const CROP = [
  0.031373,
  0.032773,
  0.035014,
  0.037255,
  0.039496,
  0.041737,
  0.043137,
  0.040784,
  0.042185,
  0.044426,
  0.046667,
  0.048908,
  0.051148,
  0.052549,
  0.054902,
  0.056303,
  0.058543,
  0.060784,
  0.063025,
  0.065266,
  0.066667,
  0.06902,
  0.07042,
  0.072661,
  0.074902,
  0.077143,
  0.079384,
  0.080784,
  0.078431,
  0.079832,
  0.082073,
  0.084314,
  0.086555,
  0.088796,
  0.090196,
];

function assertClose(actual: Float32Array, expected: number[], label: string): void {
  assert.equal(actual.length, expected.length, label);
  actual.forEach((v, i) => {
    assert.ok(Math.abs(v - expected[i]!) < 2e-5, `${label}[${i}]: ${v} vs ${expected[i]}`);
  });
}

function input(): Float32Array {
  return Float32Array.from(INPUT, (v) => v / 255);
}

Deno.test("colour adjustments match torchvision's", () => {
  const cases: [string, (x: Float32Array) => void][] = [
    ["brightness 1.2", (x) => adjustBrightness(x, 1.2)],
    ["contrast 0.7", (x) => adjustContrast(x, 3, 0.7)],
    ["saturation 1.3", (x) => adjustSaturation(x, 1.3)],
    ["hue 0.2", (x) => adjustHue(x, 0.2)],
    ["hue -0.3", (x) => adjustHue(x, -0.3)],
    ["grayscale", (x) => toGrayscale(x)],
  ];
  for (const [label, apply] of cases) {
    const x = input();
    apply(x);
    assertClose(x, TORCHVISION[label]!, label);
  }
});

Deno.test("cropResize() matches torchvision's bilinear resized_crop", () => {
  const src = Uint8Array.from({ length: 30 }, (_, i) => i);
  const out = cropResize(
    src,
    [5, 6, 1],
    { top: 1, left: 2, height: 3, width: 4 },
    new Float32Array(35),
    [5, 7],
  );
  assertClose(out, CROP, "crop");
});

Deno.test("augmentImage() is the same for the same seed, step and position, and differs otherwise", () => {
  const src = Uint8Array.from({ length: 20 * 16 * 3 }, (_, i) => (i * 37) % 256);
  const run = (seed: number, step: number, k: number) =>
    augmentImage(
      src,
      [20, 16, 3],
      new Float32Array(12 * 12 * 3),
      [12, 12],
      augmentRandom(seed, step, k),
    );
  assert.deepEqual(run(0, 7, 3), run(0, 7, 3));
  assert.notDeepEqual(run(0, 7, 3), run(0, 8, 3));
  assert.notDeepEqual(run(0, 7, 3), run(1, 7, 3));
  assert.notDeepEqual(run(0, 7, 3), run(0, 7, 4));
  for (const v of run(2, 1, 0)) assert.ok(v >= 0 && v <= 1);
});

Deno.test("augmentImage() with everything off only resizes; with flip 1 it mirrors", () => {
  const src = Uint8Array.from({ length: 4 * 5 * 3 }, (_, i) => (i * 11) % 256);
  const off = {
    ...DOMAINBED_AUGMENT,
    scale: [1, 1] as [number, number],
    ratio: [1.25, 1.25] as [number, number],
    flip: 0,
    brightness: 0,
    contrast: 0,
    saturation: 0,
    hue: 0,
    grayscale: 0,
  };
  const plain = augmentImage(src, [4, 5, 3], new Float32Array(60), [4, 5], Prng.fromParts(1), off);
  assertClose(plain, Array.from(src, (v) => v / 255), "identity");
  const flipped = augmentImage(src, [4, 5, 3], new Float32Array(60), [4, 5], Prng.fromParts(1), {
    ...off,
    flip: 1,
  });
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 5; x++) {
      for (let k = 0; k < 3; k++) {
        assert.equal(flipped[(y * 5 + x) * 3 + k], plain[(y * 5 + 4 - x) * 3 + k]);
      }
    }
  }
});

Deno.test("randomCrop() keeps within the image and the area range", () => {
  const rng = Prng.fromParts(5);
  for (let i = 0; i < 500; i++) {
    const box = randomCrop(224, 180, rng, DOMAINBED_AUGMENT);
    assert.ok(box.top >= 0 && box.left >= 0);
    assert.ok(box.top + box.height <= 224 && box.left + box.width <= 180);
    const area = (box.height * box.width) / (224 * 180);
    assert.ok(area > 0.68 && area < 1.01, `area ${area}`);
  }
});

Deno.test("augmentImage() on grey images applies only crop, flip, brightness and contrast", () => {
  const src = Uint8Array.from({ length: 8 * 8 }, (_, i) => i * 4);
  const out = augmentImage(src, [8, 8, 1], new Float32Array(64), [8, 8], augmentRandom(0, 0, 0));
  assert.equal(out.length, 64);
  for (const v of out) assert.ok(v >= 0 && v <= 1);
});
