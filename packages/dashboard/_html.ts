/**
 * HTML built with Hono's `html` helper, whose interpolations are escaped
 * unless marked safe: every string from a pipeline (stage ids, params, log
 * lines) goes through it. Pages are synchronous, so the result is a string.
 */
import { html as honoHtml, raw } from "hono/html";

/** HTML that is already safe to emit as is (Hono's escaped string). */
export type SafeHtml = ReturnType<typeof raw>;

/** Marks trusted markup as safe (never pass pipeline data here). */
export { raw };

/**
 * Tagged template: interpolated values are escaped, `SafeHtml` and arrays of
 * it are inserted as they are, null, undefined and booleans render as nothing.
 *
 * @example
 * ```ts
 * const id = "<script>";
 * String(html`<td>${id}</td>`); // "<td>&lt;script&gt;</td>"
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  const out = honoHtml(strings, ...values);
  // Only a promise among the values makes Hono's result asynchronous.
  if (out instanceof Promise) throw new TypeError("A page interpolated a promise");
  return out;
}

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return html`${text}`.toString();
}

/**
 * JSON for a `<script type="application/json">` block: `<` is escaped so the
 * data can never close the element, whatever the pipeline put in it.
 */
export function jsonScript(id: string, data: unknown): SafeHtml {
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return html`<script type="application/json" id="${id}">${raw(json)}</script>`;
}
