import assert from "node:assert/strict";
import { join } from "node:path";
import { quoteForShell } from "./shell_quote.ts";
import { renderShellScript } from "./render_shell_script.ts";

/** Renders `template` with `${{ params.v }}` = `value`; problems instead of a script. */
function render(template: string, value: unknown): { script: string } | { problems: string[] } {
  const problems: string[] = [];
  const script = renderShellScript(
    template,
    {
      params: () => ({ value }),
      matrix: () => ({ error: "no matrix" }),
      stage: () => ({ error: "no stages" }),
    },
    [],
    (_, message) => problems.push(message),
  );
  return problems.length > 0 ? { problems } : { script };
}

async function bash(script: string, cwd: string): Promise<{ code: number; stdout: string }> {
  const file = join(cwd, "script.sh");
  await Deno.writeTextFile(file, script);
  const { code, stdout } = await new Deno.Command("bash", {
    args: ["-eo", "pipefail", file],
    cwd,
    stdin: "null",
    stderr: "null",
  }).output();
  return { code, stdout: new TextDecoder().decode(stdout) };
}

const HOSTILE = [
  "plain",
  "a b  c",
  "",
  "it's",
  'say "hi"',
  "$(touch pwned)",
  "`touch pwned`",
  "; touch pwned",
  "x\ntouch pwned",
  "\n; touch pwned #",
  "'; touch pwned; '",
  '"; touch pwned; "',
  "$HOME ${HOME} $((1+1))",
  "* ? [a]",
  "back\\slash \\",
  "\\'$(touch pwned)\\'",
  "tab\there",
  "}) EOF",
  "~ -n -e é",
  "a=b",
];

/** Templates that print the value; `expect` is what they must print. */
const PRINTING: { template: string; expect: (v: string) => string; lines?: false }[] = [
  { template: "printf '%s' ${{ params.v }}", expect: (v) => v },
  { template: "printf '%s' \"${{ params.v }}\"", expect: (v) => v },
  { template: "printf '%s' 'pre ${{ params.v }} post'", expect: (v) => `pre ${v} post` },
  { template: "printf '%s' $'<${{ params.v }}>'", expect: (v) => `<${v}>` },
  {
    template: "x=$(printf '%s' ${{ params.v }}); printf '%s' \"$x\"",
    expect: (v) => v.replace(/\n+$/, ""),
  },
  {
    template: "printf '%s' \"$(printf '%s' \"${{ params.v }}\")\"",
    expect: (v) => v.replace(/\n+$/, ""),
  },
  {
    template: "printf '%s' \"`printf '%s' ${{ params.v }}`\"",
    expect: (v) => v.replace(/\n+$/, ""),
  },
  {
    template: "printf '%s' \"`printf '%s' \"${{ params.v }}\"`\"",
    expect: (v) => v.replace(/\n+$/, ""),
  },
  { template: "printf '%s' \"${UNSET:-${{ params.v }}}\"", expect: (v) => v },
  { template: "x=abc; printf '%s' \"${x/b/${{ params.v }}}\"", expect: (v) => `a${v}c` },
  { template: "case ${{ params.v }} in *) printf '%s' ok;; esac", expect: () => "ok" },
  {
    template: "[[ ${{ params.v }} == ${{ params.v }} ]] && printf '%s' same",
    expect: () => "same",
  },
  {
    template: "x=$(case a in a) printf '%s' ${{ params.v }};; esac)\nprintf '%s' \"$x\"",
    expect: (v) => v.replace(/\n+$/, ""),
  },
  {
    template: "# a comment: ${{ params.v }}\nprintf '%s' ok # ${{ params.v }}",
    expect: () => "ok",
  },
  { template: "cat <<EOF\n<${{ params.v }}>\nEOF", expect: (v) => `<${v}>\n`, lines: false },
  { template: "cat <<'EOF'\n<${{ params.v }}>\nEOF", expect: (v) => `<${v}>\n`, lines: false },
  {
    template: "cat <<EOF\n${UNSET:-${{ params.v }}}\nEOF",
    expect: (v) => `${v}\n`,
    lines: false,
  },
];

Deno.test("renderShellScript() hands bash every hostile value intact, in every context", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const { template, expect, lines } of PRINTING) {
      // One bash per template: each value's script in braces, outputs split by NUL.
      const cases: string[] = [];
      for (const value of HOSTILE) {
        const rendered = render(template, value);
        const what = `${template} with ${JSON.stringify(value)}`;
        if (lines === false && value.includes("\n")) {
          assert.ok("problems" in rendered, `${what}: a line break cannot go in a here-document`);
          continue;
        }
        assert.ok("script" in rendered, `${what}: ${JSON.stringify(rendered)}`);
        cases.push(value);
      }
      const scripts = cases.map((value) => {
        const rendered = render(template, value) as { script: string };
        return `{\n${rendered.script}\n}\nprintf '\\0'\n`;
      });
      const { code, stdout } = await bash(scripts.join(""), dir);
      assert.equal(code, 0, template);
      const outputs = stdout.split("\0").slice(0, -1);
      assert.deepEqual(outputs, cases.map(expect), template);
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["script.sh"], template);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderShellScript() makes a list one word per item, usable in a loop", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rendered = render(
      "for d in ${{ params.v }}; do printf '<%s>' \"$d\"; done",
      ["/a b/c", "it's", "$(touch pwned)", ""],
    );
    assert.ok("script" in rendered);
    const { stdout } = await bash(rendered.script, dir);
    assert.equal(stdout, "</a b/c><it's><$(touch pwned)><>");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderShellScript() takes only integers into arithmetic", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const templates = [
      "printf '%s' $(( ${{ params.v }} * 2 ))",
      "(( n = ${{ params.v }} * 2 )); printf '%s' $n",
      "a[${{ params.v }}]=x; printf '%s' ${#a[@]}",
    ];
    for (const template of templates) {
      const ok = render(template, 21);
      assert.ok("script" in ok, template);
      assert.equal((await bash(ok.script, dir)).code, 0, template);
      for (const value of ["1+1", "a[$(touch pwned)]", "x", "$(touch pwned)", "1.5"]) {
        const rendered = render(template, value);
        assert.ok("problems" in rendered, `${template} with ${value}`);
        assert.match(rendered.problems[0]!, /Only an integer|would run as a command/);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderShellScript() refuses values bash would evaluate as a command in arithmetic", () => {
  for (
    const template of [
      "[[ ${{ params.v }} -eq 1 ]]",
      "let x=${{ params.v }}",
      "echo '${{ params.v }}'",
    ]
  ) {
    const rendered = render(template, "a[$(touch pwned)]");
    assert.ok("problems" in rendered, template);
    assert.match(rendered.problems[0]!, /would run as a command/);
  }
});

Deno.test("renderShellScript() refuses a value that would end a here-document", () => {
  const rendered = render("cat <<EOF\n${{ params.v }}\nEOF\necho done", "EOF");
  assert.ok("problems" in rendered);
  assert.match(rendered.problems[0]!, /delimiter "EOF"/);
});

Deno.test("quoteForShell() quotes only what needs it", () => {
  assert.deepEqual(quoteForShell("/cache/objects/ab/cd/out", "word"), {
    text: "/cache/objects/ab/cd/out",
  });
  assert.deepEqual(quoteForShell(3, "word"), { text: "3" });
  assert.deepEqual(quoteForShell(["a", "b c"], "word"), { text: "a 'b c'" });
  assert.deepEqual(quoteForShell(["a", "b c"], "double"), { text: "a b c" });
  assert.deepEqual(quoteForShell({ k: 1 }, "word"), { text: `'{"k":1}'` });
  assert.deepEqual(quoteForShell("a\0b", "word"), {
    error: "contains a NUL character, which bash cannot pass",
  });
});
