/** Decodes image files to fixed-size HWC uint8 pixels with sharp (imported lazily). */

/** How images are turned into arrays. */
export interface DecodeOptions {
  height: number;
  width: number;
  channels: 1 | 3;
  /** sharp's resize fit: "fill" stretches (as DomainBed's Resize((h, w)) does). */
  fit: "fill" | "cover" | "contain";
}

type Sharp = typeof import("sharp").default;

/** A decoder bound to sharp, loaded on first use. */
export async function makeDecoder(
  options: DecodeOptions,
): Promise<(path: string) => Promise<Uint8Array>> {
  const sharp: Sharp = (await import("sharp")).default;
  sharp.cache(false); // Thousands of distinct files: caching only grows memory.
  const { height, width, channels, fit } = options;
  return async (path) => {
    let image = sharp(path, { failOn: "error" })
      .flatten({ background: { r: 0, g: 0, b: 0 } })
      .resize({ width, height, fit, background: { r: 0, g: 0, b: 0 } });
    image = channels === 1 ? image.grayscale() : image.toColourspace("srgb");
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.width !== width || info.height !== height || info.channels !== channels) {
      throw new Error(`decoded to ${info.width}x${info.height}x${info.channels}`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  };
}

/** Runs `decode` over `items` with up to `parallel` in flight, yielding results in order. */
export async function* decodeInOrder<T>(
  items: T[],
  decode: (item: T) => Promise<Uint8Array>,
  parallel: number,
): AsyncGenerator<{ item: T; pixels?: Uint8Array; error?: Error }> {
  const settle = (item: T) =>
    decode(item).then((pixels) => ({ item, pixels }), (error: Error) => ({ item, error }));
  const window: ReturnType<typeof settle>[] = [];
  let next = 0;
  while (next < items.length && window.length < parallel) window.push(settle(items[next++]!));
  while (window.length) {
    const result = await window.shift()!;
    if (next < items.length) window.push(settle(items[next++]!));
    yield result;
  }
}
