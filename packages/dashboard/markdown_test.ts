import assert from "node:assert/strict";
import { renderMarkdown } from "./markdown.ts";

const resolve = (path: string) => `/files/objects/r/${path}`;

Deno.test("renderMarkdown() renders tables and headings", () => {
  const out = renderMarkdown("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", resolve).toString();
  assert.match(out, /<h1>Title<\/h1>/);
  assert.match(out, /<th>a<\/th>/);
  assert.match(out, /<td>2<\/td>/);
});

Deno.test("renderMarkdown() shows raw HTML as text", () => {
  const source =
    '<script>alert(1)</script>\n\nhi <img src=x onerror="alert(2)"> <pre>a <b>b</b></pre>';
  const out = renderMarkdown(source, resolve).toString();
  assert.ok(!/<script|<img|<pre|<b>/i.test(out), out);
  assert.match(out, /&lt;script&gt;/);
});

Deno.test("renderMarkdown() drops unsafe links and maps relative ones to file routes", () => {
  const source =
    "[a](javascript:alert(1)) [b](JaVaScRiPt:x) [c](//evil.example/x) [d](https://ok.example/) " +
    "[e](plots/x.svg) ![f](ood.svg) ![g](https://remote.example/x.png) ![h](data:image/svg+xml,x)";
  const out = renderMarkdown(source, resolve).toString();
  assert.ok(!/javascript|evil\.example|remote\.example|data:/i.test(out), out);
  assert.match(out, /<a href="https:\/\/ok\.example\/">d<\/a>/);
  assert.match(out, /<a href="\/files\/objects\/r\/plots\/x\.svg">e<\/a>/);
  assert.match(out, /<img src="\/files\/objects\/r\/ood\.svg" alt="f">/);
});
