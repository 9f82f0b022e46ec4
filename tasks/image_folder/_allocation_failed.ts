/**
 * How `image_folder` explains a failed image buffer allocation: the raw
 * `RangeError` names neither the field to change nor the memory asked for.
 */
import { TaskError } from "@dropline/task";

/** The output images' shape: height, width, channels. */
export type ImageShape = readonly [number, number, number];

/**
 * A `TaskError` naming `size` and the bytes per image when `error` is a
 * failed buffer allocation; `undefined` for any other error.
 *
 * @example
 * ```ts
 * await convert(ctx, base, tree).catch((error) => {
 *   throw allocationFailed(error, [224, 224, 3]) ?? error;
 * });
 * ```
 */
export function allocationFailed(error: unknown, shape: ImageShape): TaskError | undefined {
  if (!(error instanceof RangeError)) return undefined;
  if (!/Array buffer allocation failed|Invalid typed array length/.test(error.message)) {
    return undefined;
  }
  const [height, width, channels] = shape;
  const bytes = height * width * channels;
  return new TaskError(
    `Cannot allocate memory for ${height}x${width}x${channels} images (\`size\` [${height}, ${width}]): ` +
      `each needs ${bytes.toLocaleString("en-US")} bytes and a few are held at once; ` +
      "set a smaller `size` or free memory",
    { cause: error },
  );
}
