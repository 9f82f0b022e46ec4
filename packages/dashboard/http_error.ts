/**
 * An error that maps to an HTTP status, thrown by routes and rendered once by
 * the app's `onError` (as a page, or as JSON under `/api/`).
 *
 * @example
 * ```ts
 * throw new HttpError(404, `Run "${runId}" does not exist`);
 * ```
 */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(readonly status: 400 | 401 | 404 | 405 | 500, message: string) {
    super(message);
  }
}
