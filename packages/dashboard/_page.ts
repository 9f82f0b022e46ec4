/** The HTML shell every dashboard page shares. */
import { html, raw, type SafeHtml } from "./_html.ts";

/** What a page puts into the shell. */
export interface PageOptions {
  title: string;
  body: SafeHtml;
  /** Breadcrumbs after "Runs": [label, href] pairs, the last one without a link. */
  crumbs?: Array<[string, string | null]>;
  /** Extra script and style paths (under /static/). */
  scripts?: string[];
  /** ES module scripts (under /static/); they run after `scripts`, in order. */
  modules?: string[];
  styles?: string[];
}

/**
 * Wraps a page body in the document shell (title, styles, breadcrumbs).
 *
 * @example
 * ```ts
 * renderPage({ title: "Runs", body: html`<p>none</p>` }).startsWith("<!doctype html>");
 * ```
 */
export function renderPage(options: PageOptions): SafeHtml {
  const crumbs = (options.crumbs ?? []).map(([label, href]) =>
    href === null
      ? html`
        / <span>${label}</span>
      `
      : html`
        / <a href="${href}">${label}</a>
      `
  );
  const styles = ["/static/dashboard.css", ...(options.styles ?? [])];
  const page = html`
    <!doctype html>
    <html lang="en">
      <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="icon" href="data:,">
    <title>${options.title} - dropline</title>
    ${styles.map((href) => html`<link rel="stylesheet" href="${href}">\n`)}
      </head>
      <body>
    <header class="top"><a class="brand" href="/">dropline</a><nav><a href="/">Runs</a>${crumbs}</nav></header>
    <main>
    ${options.body}
    </main>
    ${(options.scripts ?? []).map((src) => html`<script src="${src}" defer></script>\n`)}
    ${(options.modules ?? []).map((src) => html`<script type="module" src="${src}"></script>\n`)}
      </body>
    </html>
  `;
  // The formatter indents templates; a document starts with its doctype.
  return raw(page.trimStart());
}
