/** A list of directories from `with`: a YAML list, or one string of space-separated paths. */
import { z } from "zod";

export const PathList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : v.trim().split(/\s+/)));
