import type { z } from "zod";

/** Reads and validates a JSON file; a bad file is a `SyntaxError` naming it and the field. */
export async function readJsonFile<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Deno.errors.NotFound(`Missing "${path}"`);
    throw new SyntaxError(`Cannot parse "${path}": ${(error as Error).message}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? ` at "${issue.path.join(".")}"` : "";
    throw new SyntaxError(`Invalid "${path}"${where}: ${issue.message}`);
  }
  return result.data;
}

/** Writes a value as indented JSON with a final newline. */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
}
