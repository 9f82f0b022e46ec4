/**
 * The `backend` parameter every TF.js task accepts, defined once.
 */
import { z } from "zod";
import { BACKEND_CHOICES } from "./backend_choice.ts";

/**
 * An optional tensor backend request; absent means `DROPLINE_BACKEND`, else `auto`.
 *
 * @example
 * ```ts
 * const Params = z.strictObject({ backend: BackendParam });
 * ```
 */
export const BackendParam = z.enum(BACKEND_CHOICES).optional()
  .describe("tensor backend (default: DROPLINE_BACKEND, else auto)");
