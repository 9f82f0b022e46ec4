/** Query parameters of the pages and the API, checked: a bad value is a 400 that says why. */
import { HttpError } from "./http_error.ts";

/** A non-negative integer query parameter, or `fallback` when absent. */
export function intQuery(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new HttpError(
      400,
      `Query parameter "${name}" must be a non-negative integer, got "${value}"`,
    );
  }
  return n;
}

/** A boolean query parameter: absent, "0" or "1". */
export function flagQuery(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "" || value === "0") return false;
  if (value === "1") return true;
  throw new HttpError(400, `Query parameter "${name}" must be 0 or 1, got "${value}"`);
}
