/**
 * Rendering of a stage's `with` map, bash script fields included.
 */
import type { ValuePath } from "./source.ts";
import { renderShellScript } from "./render_shell_script.ts";
import { render, type RenderErrorSink, type RenderScope } from "./template.ts";

/**
 * Renders a stage's `with` map; the fields named in `shellScripts` are bash
 * scripts and get {@link renderShellScript}.
 *
 * @example
 * ```ts
 * renderWith({ run: "echo ${{ params.n }}" }, scope, ["stages", "a", "with"], sink, ["run"]);
 * ```
 */
export function renderWith(
  value: Record<string, unknown>,
  scope: RenderScope,
  path: ValuePath,
  sink: RenderErrorSink,
  shellScripts: readonly string[] = [],
): Record<string, unknown> {
  const rendered: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    rendered[key] = shellScripts.includes(key) && typeof item === "string"
      ? renderShellScript(item, scope, [...path, key], sink)
      : render(item, scope, [...path, key], sink);
  }
  return rendered;
}
