/**
 * Markdown (a report's `report.md`) to safe HTML with marked: raw HTML in the
 * source is shown as text, links keep only http(s), mailto and in-page
 * targets, and relative links and images are mapped to the dashboard's file
 * routes, so a report can never run script or fetch from elsewhere.
 */
import { Marked, type Tokens } from "marked";
import { escapeHtml, raw, type SafeHtml } from "./_html.ts";

/** Maps a relative path in the report to a URL, or null to drop the link. */
export type RelativeResolver = (path: string) => string | null;

const SCHEME = /^([a-z][a-z0-9+.-]*):/i;

function safeHref(href: string, resolve: RelativeResolver): string | null {
  const trimmed = href.trim();
  if (trimmed.startsWith("#")) return trimmed;
  if (trimmed.startsWith("//") || trimmed.startsWith("\\")) return null;
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return resolve(trimmed.split(/[?#]/)[0] ?? "");
  return scheme === "http" || scheme === "https" || scheme === "mailto" ? trimmed : null;
}

function createMarked(resolve: RelativeResolver): Marked {
  return new Marked({
    gfm: true,
    renderer: {
      html(token: Tokens.HTML | Tokens.Tag): string {
        return escapeHtml(token.text);
      },
      text(token: Tokens.Text | Tokens.Escape): string {
        // marked leaves text after a raw-HTML tag unescaped; this never does.
        if ("tokens" in token && token.tokens) return this.parser.parseInline(token.tokens);
        return escapeHtml(token.text);
      },
      link(token: Tokens.Link): string {
        const text = this.parser.parseInline(token.tokens);
        const href = safeHref(token.href, resolve);
        return href === null ? text : `<a href="${escapeHtml(href)}">${text}</a>`;
      },
      image(token: Tokens.Image): string {
        // Only images from the report itself: remote ones would not load offline anyway.
        const scheme = SCHEME.exec(token.href.trim());
        const src = scheme ? null : safeHref(token.href, resolve);
        if (src === null) return escapeHtml(token.text);
        return `<img src="${escapeHtml(src)}" alt="${escapeHtml(token.text)}">`;
      },
    },
  });
}

/**
 * Renders markdown to HTML that is safe to embed.
 *
 * @example
 * ```ts
 * renderMarkdown("| a |\n|---|\n| <b>1</b> |", () => null).includes("&lt;b&gt;"); // true
 * ```
 */
export function renderMarkdown(source: string, resolve: RelativeResolver): SafeHtml {
  return raw(createMarked(resolve).parse(source, { async: false }));
}
