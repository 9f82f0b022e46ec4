/**
 * Whole-file `.npy` reading and writing. For arrays too large to hold twice in
 * memory, use {@link openNpy} (row ranges) and {@link createNpyWriter} (rows
 * appended as they are made).
 *
 * @example
 * ```ts
 * import { readNpy, writeNpy } from "./npy_file.ts";
 *
 * await writeNpy("labels.npy", { dtype: "int32", shape: [3], data: new Int32Array([0, 1, 1]) });
 * const labels = await readNpy("labels.npy");
 * ```
 * @module
 */
import { decodeNpy, encodeNpy, type NpyArray } from "./npy.ts";

/**
 * Reads a whole `.npy` file. Errors name the file.
 *
 * @example
 * ```ts
 * const { shape, data } = await readNpy("features.npy");
 * ```
 */
export async function readNpy(path: string): Promise<NpyArray> {
  const bytes = await Deno.readFile(path);
  try {
    return decodeNpy(bytes);
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof TypeError) {
      const Ctor = error.constructor as new (message: string) => Error;
      throw new Ctor(`Cannot read "${path}": ${error.message}`);
    }
    throw error;
  }
}

/**
 * Writes an array as a `.npy` file (replacing it).
 *
 * @example
 * ```ts
 * await writeNpy("split.npy", { dtype: "uint8", shape: [2], data: new Uint8Array([0, 1]) });
 * ```
 */
export async function writeNpy(path: string, array: NpyArray): Promise<void> {
  await Deno.writeFile(path, encodeNpy(array));
}
