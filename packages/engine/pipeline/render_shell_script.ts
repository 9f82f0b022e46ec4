/**
 * Rendering of bash script templates (the fields a task names in
 * `shellScripts`): every interpolation becomes text bash reads back as exactly
 * the value, so no value can change the script's structure.
 */
import { shellWord } from "@dropline/task";
import type { ValuePath } from "./source.ts";
import { parseShellTemplate, type ShellTemplate, type ShellValuePart } from "./shell_template.ts";
import { quoteForShell, valueText } from "./shell_quote.ts";
import { type RenderErrorSink, type RenderScope, resolveExpression } from "./template.ts";

/**
 * Renders a bash script template. A list in an unquoted place becomes a bash
 * array declared on the script's first line (keeping its line numbers) and
 * expanded as `"${name[@]}"`: one word per item, and fast in a `for` loop,
 * whose literal word lists bash parses in quadratic time.
 *
 * @example
 * ```ts
 * renderShellScript("cat ${{ params.file }}", scope, [], sink); // "cat '/data/a b.csv'"
 * renderShellScript("for d in ${{ stages.a.out }}; do :; done", scope, [], sink);
 * // "declare -a dl_stages_a_out=(/c/1 /c/2); for d in \"${dl_stages_a_out[@]}\"; do :; done"
 * ```
 */
export function renderShellScript(
  text: string,
  scope: RenderScope,
  path: ValuePath,
  sink: RenderErrorSink,
): string {
  if (!text.includes("${{")) return text;
  const template = parsedTemplate(text);
  for (const problem of template.problems) sink(path, problem);
  const arrays: ScriptArrays = new Map();
  let out = "";
  const heredocValues: { at: number; delimiter: string; stripTabs: boolean }[] = [];
  for (const part of template.parts) {
    if (typeof part === "string") {
      out += part;
      continue;
    }
    const value = resolveExpression(part.expression, scope, path, sink);
    if (value === undefined) continue;
    const rendered = renderValue(part, value, arrays);
    if ("error" in rendered) {
      sink(path, `Cannot put "\${{ ${part.expression} }}" in the script: ${rendered.error}`);
      continue;
    }
    if (part.heredoc) heredocValues.push({ at: out.length, ...part.heredoc });
    out += rendered.text;
  }
  for (const { at, delimiter, stripTabs } of heredocValues) {
    const start = out.lastIndexOf("\n", at - 1) + 1;
    const end = out.indexOf("\n", at);
    const line = out.slice(start, end < 0 ? out.length : end);
    if ((stripTabs ? line.replace(/^\t+/, "") : line) === delimiter) {
      sink(path, `A value makes a line equal to the here-document's delimiter "${delimiter}"`);
    }
  }
  if (arrays.size === 0) return out;
  return `${[...arrays.values()].map((a) => a.declaration).join("; ")}; ${out}`;
}

function renderValue(
  part: ShellValuePart,
  value: unknown,
  arrays: ScriptArrays,
): { text: string } | { error: string } {
  let text: string;
  if (part.context === "word" && Array.isArray(value)) {
    const checked = quoteForShell(value, "word");
    if ("error" in checked) return checked;
    text = `"\${${declareArray(part.expression, value, arrays)}[@]}"`;
  } else {
    const quoted = quoteForShell(value, part.context, part.heredoc !== undefined);
    if ("error" in quoted) return quoted;
    text = quoted.text;
  }
  // Bash removes one level of backslashes before \ ` $ inside each `...`.
  for (let level = 0; level < (part.backticks ?? 0); level++) {
    text = text.replace(/[\\`$]/g, "\\$&");
  }
  return { text };
}

/** Declares (once per expression) the array holding a list; returns its name. */
function declareArray(expression: string, items: unknown[], arrays: ScriptArrays): string {
  const known = arrays.get(expression);
  if (known) return known.name;
  const base = `dl_${expression.replace(/[^A-Za-z0-9_]/g, "_")}`;
  const taken = new Set([...arrays.values()].map((a) => a.name));
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  const words = items.map((item) => shellWord(valueText(item))).join(" ");
  arrays.set(expression, { name, declaration: `declare -a ${name}=(${words})` });
  return name;
}

/** The arrays a script declares, by the expression whose list each holds. */
type ScriptArrays = Map<string, { name: string; declaration: string }>;

/** One parse per distinct template: the expansions of a matrix stage share theirs. */
const PARSED = new Map<string, ShellTemplate>();

function parsedTemplate(text: string): ShellTemplate {
  let parsed = PARSED.get(text);
  if (!parsed) {
    parsed = parseShellTemplate(text);
    if (PARSED.size > 1000) PARSED.clear();
    PARSED.set(text, parsed);
  }
  return parsed;
}
