import assert from "node:assert/strict";
import { html, jsonScript, raw } from "./_html.ts";

Deno.test("html() escapes interpolations but not nested html or raw()", () => {
  const name = `<img src=x onerror="alert('1')">&`;
  const out = html`<td title="${name}">${name}${html`<b>${"<i>"}</b>`}${raw("<br>")}${[
    1,
    "<",
  ]}${null}</td>`;
  assert.equal(
    String(out),
    '<td title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">' +
      "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;<b>&lt;i&gt;</b><br>1&lt;</td>",
  );
});

Deno.test("jsonScript() can never close its script element", () => {
  const out = jsonScript("d", { s: "</script><script>alert(1)</script>" }).toString();
  assert.equal(out.match(/<\/script>/gi)?.length, 1);
  assert.deepEqual(JSON.parse(out.replace(/^<script[^>]*>|<\/script>$/g, "")), {
    s: "</script><script>alert(1)</script>",
  });
});
