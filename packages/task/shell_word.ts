/**
 * Quoting one bash word, shared by the engine (values interpolated into
 * scripts) and the `shell` task (arrays it declares).
 */

/** Words bash reads literally without quotes (no `=`: it would turn a command into an assignment). */
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * One bash word that reads back as `text`: unquoted when safe, else single-quoted.
 *
 * @example
 * ```ts
 * shellWord("/tmp/a b"); // "'/tmp/a b'"
 * shellWord("it's"); // "'it'\\''s'"
 * shellWord(""); // "''"
 * ```
 */
export function shellWord(text: string): string {
  if (text === "") return "''";
  return SAFE_WORD.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}
