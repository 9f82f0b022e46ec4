/**
 * The backend a stage may ask for, and how a request is read from a param or
 * `DROPLINE_BACKEND`. Pure: nothing is loaded or probed here.
 *
 * @module
 */

/** Every backend request, `auto` first. */
export const BACKEND_CHOICES = ["auto", "tensorflow", "webgpu", "wasm", "cpu"] as const;

/** A backend request: `auto` picks the fastest one this machine has (see `resolve_backend.ts`). */
export type BackendChoice = typeof BACKEND_CHOICES[number];

/**
 * The backend to use, from the option first, then the environment variable, then `auto`.
 * Throws a `TypeError` naming the bad value.
 *
 * @example
 * ```ts
 * resolveBackendChoice(undefined, "cpu"); // "cpu"
 * resolveBackendChoice("wasm", "cpu"); // "wasm"
 * ```
 */
export function resolveBackendChoice(
  option: string | undefined,
  env: string | undefined,
): BackendChoice {
  const raw = option ?? (env?.trim() || undefined) ?? "auto";
  const value = raw.toLowerCase();
  if (!(BACKEND_CHOICES as readonly string[]).includes(value)) {
    const from = option === undefined ? "DROPLINE_BACKEND" : "backend";
    throw new TypeError(
      `Unknown tensor backend "${raw}" in ${from}: expected one of ${BACKEND_CHOICES.join(", ")}`,
    );
  }
  return value as BackendChoice;
}
