/** Scans a `<domain>/<class>/<image>` tree into a sorted, labelled list of image files. */
import { TaskError } from "@dropline/task";

/** One image file with its class and domain indices. */
export interface TreeImage {
  /** Path relative to the tree's base (`photo/dog/1.jpg`). */
  path: string;
  label: number;
  domain: number;
}

/** What a tree holds, in a deterministic order. */
export interface ImageTree {
  domains: string[];
  classes: string[];
  images: TreeImage[];
}

/** Filters and the image extensions to take. */
export interface ScanOptions {
  domains?: string[] | undefined;
  classes?: string[] | undefined;
  /** Lowercase extensions with the dot. */
  extensions: string[];
}

/** Code-point order, independent of locale. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Directories macOS and others add to archives. */
const IGNORED = new Set(["__MACOSX"]);

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const list: Deno.DirEntry[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.startsWith(".") && !IGNORED.has(entry.name)) list.push(entry);
  }
  return list.sort((a, b) => byCodePoint(a.name, b.name));
}

async function subdirectories(dir: string): Promise<string[]> {
  return (await entries(dir)).filter((e) => e.isDirectory).map((e) => e.name);
}

/** The filter's names (in its order) after checking each exists, or all found names sorted. */
function choose(
  found: string[],
  wanted: string[] | undefined,
  what: string,
  where: string,
): string[] {
  if (!wanted) return found;
  for (const name of wanted) {
    if (!found.includes(name)) {
      throw new TaskError(
        `${what} "${name}" not found in "${where}" (found: ${found.join(", ") || "nothing"})`,
      );
    }
  }
  return wanted;
}

/**
 * Lists `base/<domain>/<class>/<image>`. An empty (or missing) class in a
 * domain, or a domain without classes, is an error naming it.
 */
export async function scanImageTree(base: string, options: ScanOptions): Promise<ImageTree> {
  let found: string[];
  try {
    found = await subdirectories(base);
  } catch {
    throw new TaskError(`Cannot read image directory "${base}"`);
  }
  const domains = choose(found, options.domains, "Domain", base);
  if (domains.length === 0) throw new TaskError(`No domain directories in "${base}"`);
  const classSets = await Promise.all(domains.map((d) => subdirectories(`${base}/${d}`)));
  for (const [i, classes] of classSets.entries()) {
    if (classes.length === 0) {
      throw new TaskError(`Domain "${domains[i]}" has no class directories in "${base}"`);
    }
  }
  const allClasses = [...new Set(classSets.flat())].sort(byCodePoint);
  const classes = choose(allClasses, options.classes, "Class", base);
  const images: TreeImage[] = [];
  for (const [d, domain] of domains.entries()) {
    for (const [c, className] of classes.entries()) {
      const files = await imageFiles(`${base}/${domain}/${className}`, options.extensions);
      if (files.length === 0) throw await emptyClass(base, domain, className);
      for (const file of files) {
        images.push({ path: `${domain}/${className}/${file}`, label: c, domain: d });
      }
    }
  }
  return { domains, classes, images };
}

async function imageFiles(dir: string, extensions: string[]): Promise<string[]> {
  try {
    return (await entries(dir))
      .filter((e) => e.isFile && extensions.some((ext) => e.name.toLowerCase().endsWith(ext)))
      .map((e) => e.name);
  } catch {
    return [];
  }
}

async function emptyClass(base: string, domain: string, className: string): Promise<TaskError> {
  const dir = `${base}/${domain}/${className}`;
  const nested = await subdirectories(dir).catch(() => []);
  const hint = nested.length
    ? ` (it holds directories: is the tree one level deeper? set "root")`
    : "";
  return new TaskError(
    `Class "${className}" of domain "${domain}" has no images in "${dir}"${hint}`,
  );
}
