/**
 * Quoting of interpolated values for bash, by context, so that bash reads
 * back exactly the value and no value can change a script's structure. Pure.
 */
import { shellWord } from "@dropline/task";
import type { ShellContext } from "./shell_template.ts";

const INTEGER = /^[+-]?[0-9]+$/;

/**
 * The text that makes bash read `value` literally at a place of `context`.
 *
 * - `word` (unquoted): a scalar is one word, a list one word per item, a map one word of JSON;
 * - `double`, `heredoc`: backslash-escaped; a list joins with spaces;
 * - `single`, `ansi`: closes and reopens the quotes around the value (or escapes it);
 * - `arith`: integers only;
 * - here-documents (`inHeredoc`, also for `${ }` inside one): no line breaks.
 *
 * @example
 * ```ts
 * quoteForShell("a b", "word"); // { text: "'a b'" }
 * quoteForShell(["x", "y z"], "word"); // { text: "x 'y z'" }
 * quoteForShell('say "hi"', "double"); // { text: 'say \\"hi\\"' }
 * ```
 */
export function quoteForShell(
  value: unknown,
  context: ShellContext,
  inHeredoc = context === "heredoc" || context === "heredoc-literal",
): { text: string } | { error: string } {
  const text = valueText(value);
  if (text.includes("\0")) return { error: "contains a NUL character, which bash cannot pass" };
  if (inHeredoc && text.includes("\n")) {
    return {
      error: `${
        shown(text)
      } has a line break, which could end the here-document: pass it through \`env\` instead`,
    };
  }
  if (context !== "comment" && arithmeticTrap(text)) {
    return {
      error: `${
        shown(text)
      } contains \`name[...$\`, which bash would run as a command if it evaluated the value as arithmetic`,
    };
  }
  switch (context) {
    case "word":
      return {
        text: Array.isArray(value)
          ? value.map((v) => shellWord(valueText(v))).join(" ")
          : shellWord(text),
      };
    case "double":
      return { text: text.replace(/[\\"$`]/g, "\\$&") };
    case "param-double":
      return { text: `"${text.replace(/[\\"$`]/g, "\\$&")}"` };
    case "single":
      return { text: text.replaceAll("'", "'\\''") };
    case "ansi":
      return { text: text.replace(/[\\']/g, "\\$&") };
    case "comment":
      return { text: text.replace(/[\r\n]/g, " ") };
    case "arith":
      return INTEGER.test(text) ? { text } : {
        error:
          `Only an integer can go into bash arithmetic (\`$(( ))\`, \`(( ))\`, an array index or a substring offset); got ${
            shown(text)
          }`,
      };
    case "heredoc":
      return { text: text.replace(/[\\$`]/g, "\\$&") };
    case "heredoc-literal":
      return { text };
  }
}

/**
 * Whether `text` holds `name[...$` or `` name[...` ``: bash expands array
 * subscripts again when it evaluates a word as arithmetic (`[[ $v -eq 1 ]]`,
 * `let`, `declare -i`), even a quoted one, and would run the command inside.
 * Linear: values can be megabytes (a 10,000-way fan-in).
 */
function arithmeticTrap(text: string): boolean {
  const expansion = Math.max(text.lastIndexOf("$"), text.lastIndexOf("`"));
  if (expansion < 0) return false;
  const subscript = /[A-Za-z0-9_]\[/.exec(text);
  return subscript !== null && subscript.index < expansion;
}

/**
 * How a value reads as text: lists join with spaces, maps are JSON.
 *
 * @example
 * ```ts
 * valueText([1, "a b"]); // "1 a b"
 * ```
 */
export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(valueText).join(" ");
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}

function shown(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}
