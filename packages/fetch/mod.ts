/**
 * Fetching inputs: resumable downloads over http(s) or from local files with checksums, and safe
 * archive extraction (zip-slip, link and size checks).
 *
 * @module
 */
export { extractArchive } from "./extract_archive.ts";
export type { ExtractOptions, ExtractResult } from "./extract_archive.ts";
export {
  DEFAULT_EXTRACT_LIMITS,
  EXTRACT_LIMIT_VARIABLES,
  extractLimitsFromEnv,
} from "./extract_limits.ts";
export type { ExtractLimits } from "./extract_limits.ts";
export { FetchError } from "./fetch_error.ts";
export { fetchFile, resolveSource } from "./fetch_file.ts";
export type { FetchFileResult } from "./fetch_file.ts";
export { safeEntryPath } from "./safe_entry_path.ts";
export { sha256File } from "./sha256_file.ts";
