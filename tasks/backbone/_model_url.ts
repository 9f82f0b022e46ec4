/** Where a backbone's `model.json` and weight files are, from what a user gives. */
import { resolveSource } from "@dropline/fetch";
import { localPathOf } from "../_shared/source_path.ts";

/**
 * The URL of `model.json`: a URL or path ending in `.json` as given; a local
 * directory or any other URL gets `model.json` appended (TF Hub model pages
 * also get `?tfjs-format=file`, as TF.js' own loader does).
 */
export async function modelJsonUrl(source: string): Promise<URL> {
  const url = resolveSource(source);
  if (url.protocol === "file:") {
    const path = decodeURIComponent(url.pathname);
    const isDir = await Deno.stat(path).then((s) => s.isDirectory, () => false);
    return isDir ? new URL(`${url.href.replace(/\/$/, "")}/model.json`) : url;
  }
  if (url.pathname.endsWith(".json")) return url;
  const withJson = new URL(url);
  withJson.pathname = `${url.pathname.replace(/\/$/, "")}/model.json`;
  if (url.hostname === "tfhub.dev" && !url.search) withJson.search = "?tfjs-format=file";
  return withJson;
}

/** A weight file's URL: relative to model.json, with model.json's query string. */
export function weightUrl(modelJson: URL, path: string): URL {
  const url = new URL(path, modelJson);
  if (modelJson.protocol !== "file:") url.search = modelJson.search;
  return url;
}

/**
 * The local directory holding the model, for the stage key (null for URLs
 * other than file URLs). A relative path stays relative: the engine resolves
 * it against the pipeline's directory, as the run does (`againstWorkDir`).
 * A `.json` file stands for its directory because the weight files its
 * manifest names sit beside it and are not pinned by its content.
 */
export function localModelDir(source: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^file:\/\//i.test(source)) return null;
  const path = localPathOf(source)!;
  if (!path.endsWith(".json")) return path;
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : path.slice(0, slash) || "/";
}
