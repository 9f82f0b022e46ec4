/** The files of a stage's published output directory, for listing and download. */

/** One output file: path relative to the output directory, and size. */
export interface OutputFile {
  path: string;
  size: number;
}

/**
 * Lists regular files under `dir` recursively, sorted by path, at most
 * `limit` of them (`truncated` says when more exist). A missing directory
 * lists as empty. Symbolic links are not followed.
 *
 * @example
 * ```ts
 * const { files } = await listOutputFiles("/cache/objects/ab/cdef");
 * files[0]; // { path: "model/model.json", size: 1234 }
 * ```
 */
export async function listOutputFiles(
  dir: string,
  limit = 500,
): Promise<{ files: OutputFile[]; truncated: boolean }> {
  const files: OutputFile[] = [];
  const pending = [""];
  while (pending.length > 0) {
    const relative = pending.pop() as string;
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(relative ? `${dir}/${relative}` : dir)];
    } catch {
      continue; // Not published (yet), or removed by gc.
    }
    for (const entry of entries) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory) pending.push(path);
      else if (entry.isFile) {
        if (files.length >= limit) return { files: sortByPath(files), truncated: true };
        files.push({ path, size: (await Deno.stat(`${dir}/${path}`)).size });
      }
    }
  }
  return { files: sortByPath(files), truncated: false };
}

function sortByPath(files: OutputFile[]): OutputFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
