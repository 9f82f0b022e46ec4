import { html, type SafeHtml } from "./_html.ts";
import { renderPage } from "./_page.ts";

const TITLES: Record<number, string> = {
  400: "Bad request",
  401: "Unauthorized",
  404: "Not found",
  405: "Method not allowed",
  500: "Something went wrong",
};

/**
 * The page shown for an error status: a title and a message, never a stack.
 *
 * @example
 * ```ts
 * renderErrorPage(404, 'Run "x" does not exist');
 * ```
 */
export function renderErrorPage(status: number, message: string): SafeHtml {
  const title = TITLES[status] ?? "Error";
  return renderPage({
    title,
    body: html`
      <section class="error">
        <h1>${status} ${title}</h1>
        <p>${message}</p>
        <p><a href="/">Back to the runs</a></p>
      </section>
    `,
  });
}
