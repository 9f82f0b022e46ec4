/**
 * A tiny PACS-format image tree, `<root>/<domain>/<class>/<image>`, with real
 * PNG and JPEG files made by sharp, as a directory or as a zip. Each image is
 * a solid colour that encodes its class and domain, so a test can check that
 * labels follow the pixels.
 *
 * @example
 * ```ts
 * import { makePacsZip, pacsColor, writePacsTree } from "./pacs_fixture.ts";
 *
 * const { zip, images } = await makePacsZip({ domains: ["photo", "sketch"], perClass: 2 });
 * await writePacsTree(dir, { root: "", corrupt: ["photo/dog/broken.jpg"] });
 * pacsColor(1, 0, 0); // [80, 30, 0]: class 1, domain 0, image 0
 * ```
 * @module
 */
import { makeZip } from "./archives.ts";

/** Options of the PACS fixture builders. */
export interface PacsFixtureOptions {
  /** Directory above the domains; default "PACS" ("" for none). */
  root?: string;
  /** Default the four PACS domains. */
  domains?: string[];
  /** Default ["dog", "elephant", "giraffe"]. */
  classes?: string[];
  /** Images per domain and class; default 3. */
  perClass?: number;
  /** Width and height; default [20, 16]. */
  size?: [number, number];
  /** Paths below the root (`photo/dog/bad.jpg`) to add with bytes that are no image. */
  corrupt?: string[];
  /** `domain/class` directories to create empty. */
  empty?: string[];
}

/** One generated image. */
export interface PacsImage {
  /** Path from the tree's top (with the root). */
  path: string;
  domain: string;
  className: string;
  color: [number, number, number];
}

export const PACS_DOMAINS = ["art_painting", "cartoon", "photo", "sketch"];

/**
 * The colour of image `index` of class `classIndex` in domain `domainIndex`.
 *
 * @example
 * ```ts
 * const [r, g, b] = pacsColor(2, 1, 0);
 * ```
 */
export function pacsColor(
  classIndex: number,
  domainIndex: number,
  index: number,
): [number, number, number] {
  return [30 + 50 * classIndex, 30 + 60 * domainIndex, (index * 40) % 256];
}

/**
 * The fixture's files by path (with the root), and the images among them.
 *
 * @example
 * ```ts
 * const { files, images } = await makePacsFiles({ perClass: 1 });
 * ```
 */
export async function makePacsFiles(
  options: PacsFixtureOptions = {},
): Promise<{ files: Record<string, Uint8Array>; images: PacsImage[] }> {
  const { default: sharp } = await import("sharp");
  const {
    root = "PACS",
    domains = PACS_DOMAINS,
    classes = ["dog", "elephant", "giraffe"],
    perClass = 3,
  } = options;
  const [width, height] = options.size ?? [20, 16];
  const prefix = root ? `${root}/` : "";
  const files: Record<string, Uint8Array> = {};
  const images: PacsImage[] = [];
  for (const [d, domain] of domains.entries()) {
    for (const [c, className] of classes.entries()) {
      for (let i = 0; i < perClass; i++) {
        const color = pacsColor(c, d, i);
        const png = i % 2 === 0;
        const image = sharp({
          create: {
            width,
            height,
            channels: 3,
            background: { r: color[0], g: color[1], b: color[2] },
          },
        });
        const path = `${prefix}${domain}/${className}/${className}_${i}.${png ? "png" : "jpg"}`;
        files[path] = new Uint8Array(
          await (png ? image.png() : image.jpeg({ quality: 95 })).toBuffer(),
        );
        images.push({ path, domain, className, color });
      }
    }
  }
  for (const path of options.corrupt ?? []) {
    files[`${prefix}${path}`] = new TextEncoder().encode("not an image");
  }
  return { files, images };
}

/**
 * Writes the fixture under `dir`; empty class directories included.
 *
 * @example
 * ```ts
 * const { images } = await writePacsTree(dir, { empty: ["sketch/dog"] });
 * ```
 */
export async function writePacsTree(
  dir: string,
  options: PacsFixtureOptions = {},
): Promise<{ images: PacsImage[] }> {
  const { files, images } = await makePacsFiles(options);
  for (const [path, bytes] of Object.entries(files)) {
    await Deno.mkdir(`${dir}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeFile(`${dir}/${path}`, bytes);
  }
  const root = options.root ?? "PACS";
  for (const path of options.empty ?? []) {
    await Deno.mkdir(`${dir}/${root ? `${root}/` : ""}${path}`, { recursive: true });
  }
  return { images };
}

/**
 * The fixture as a zip (as PACS is distributed), with its images.
 *
 * @example
 * ```ts
 * const { zip } = await makePacsZip();
 * await using server = serveFiles({ "PACS.zip": zip });
 * ```
 */
export async function makePacsZip(
  options: PacsFixtureOptions = {},
): Promise<{ zip: Uint8Array; images: PacsImage[] }> {
  const { files, images } = await makePacsFiles(options);
  return { zip: makeZip(files), images };
}
