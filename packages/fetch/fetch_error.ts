/**
 * An expected failure to fetch or unpack a file: the network is unreachable,
 * the server answered with an error, the checksum did not match, an
 * archive is malformed or unsafe, or a size limit was exceeded. Tasks show its message without a stack.
 *
 * @example
 * ```ts
 * import { FetchError } from "./fetch_error.ts";
 *
 * try {
 *   await fetchFile(url, dest);
 * } catch (error) {
 *   if (error instanceof FetchError) console.error(error.message);
 *   else throw error;
 * }
 * ```
 * @module
 */

/** What kind of failure a {@link FetchError} is. */
export type FetchErrorKind =
  | "unreachable"
  | "http"
  | "checksum"
  | "archive"
  | "limit"
  | "not-found";

/** An expected failure to fetch or unpack a file. */
export class FetchError extends Error {
  override name = "FetchError";
  /** What kind of failure this is. */
  readonly kind: FetchErrorKind;

  constructor(kind: FetchErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}
