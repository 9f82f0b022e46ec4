import assert from "node:assert/strict";
import { parseShellTemplate, type ShellContext } from "./shell_template.ts";

/** The context of each interpolation in `template`, in order. */
function contexts(template: string): ShellContext[] {
  const { parts, problems } = parseShellTemplate(template);
  assert.deepEqual(problems, []);
  return parts.flatMap((p) => typeof p === "string" ? [] : [p.context]);
}

Deno.test("parseShellTemplate() finds the context of each interpolation", () => {
  const table: [string, ShellContext[]][] = [
    ["echo ${{ a }} x${{ b }}y", ["word", "word"]],
    ['echo "${{ a }}" "x $y ${{ b }}"', ["double", "double"]],
    ["echo '${{ a }}' $'${{ b }}' $\"${{ c }}\"", ["single", "ansi", "double"]],
    ['echo "it\'s ${{ a }}" \'say "${{ b }}"\'', ["double", "single"]],
    ['echo "\\"${{ a }}" \\\'${{ b }}', ["double", "word"]],
    ["# a comment ${{ a }}\necho ${{ b }} # and ${{ c }}", ["comment", "word", "comment"]],
    ["echo a#${{ a }} $#${{ b }}", ["word", "word"]],
    ['echo $(cat "${{ a }}") "$(cat ${{ b }})"', ["double", "word"]],
    ['echo "`cat ${{ a }}`" `echo "${{ b }}"`', ["word", "double"]],
    ["echo $(( ${{ a }} * 2 )) $(( $(cat ${{ b }}) + 1 ))", ["arith", "word"]],
    ["(( n += ${{ a }} )); ( cd ${{ b }} )", ["arith", "word"]],
    ["a[${{ a }}]=${{ b }}; echo ${a[${{ c }}]} ${x:${{ d }}:2}", [
      "arith",
      "word",
      "arith",
      "arith",
    ]],
    ['echo "${x:-${{ a }}}" ${x:-${{ b }}} ${x#${{ c }}}', ["param-double", "word", "word"]],
    ["cat <<EOF\n${{ a }} $(echo ${{ b }})\nEOF\necho ${{ c }}", ["heredoc", "word", "word"]],
    ["cat <<'EOF'\n${{ a }} $(x)\nEOF\necho ${{ b }}", ["heredoc-literal", "word"]],
    ["cat <<-E1 <<E2\n\t${{ a }}\n\tE1\n${{ b }}\nE2\n${{ c }}", ["heredoc", "heredoc", "word"]],
    ['x=$(cat <<EOF\n${{ a }}\nEOF\n)\necho "${{ b }}"', ["heredoc", "double"]],
    ["cat <<< ${{ a }}; echo $((1<<2)) ${{ b }}", ["word", "word"]],
    [
      'x=$(case $y in a) echo ${{ a }};; (b) echo "${{ b }}";; esac)\necho "${{ c }}"',
      ["word", "double", "double"],
    ],
    ['diff <(sort ${{ a }}) >(cat "${{ b }}")', ["word", "double"]],
    ['for d in ${{ a }}; do cat "$d/${{ b }}"; done', ["word", "double"]],
  ];
  for (const [template, expected] of table) {
    assert.deepEqual(contexts(template), expected, template);
  }
});

Deno.test("parseShellTemplate() keeps the text between interpolations", () => {
  const { parts } = parseShellTemplate('echo "${{ params.a }}" > "$OUT/x"');
  assert.deepEqual(parts, [
    'echo "',
    { expression: "params.a", context: "double" },
    '" > "$OUT/x"',
  ]);
  assert.deepEqual(parseShellTemplate("echo `echo ${{ a }}`").parts[1], {
    expression: "a",
    context: "word",
    backticks: 1,
  });
});

Deno.test("parseShellTemplate() rejects constructs a value could subvert", () => {
  const table: [string, RegExp][] = [
    ["echo ${{ a }", /Unclosed `\$\{\{`/],
    ["echo $${{ a }}", /`\$` right before `\$\{\{`/],
    ["echo \\${{ a }}", /backslash right before/],
    ['echo "\\${{ a }}"', /backslash right before/],
    ["echo ${${{ a }}}", /right after `\$\{`/],
    ["cat <<${{ a }}\nx\n", /delimiter cannot be interpolated/],
  ];
  for (const [template, problem] of table) {
    const { problems } = parseShellTemplate(template);
    assert.equal(problems.length, 1, template);
    assert.match(problems[0]!, problem, template);
    assert.match(problems[0]!, /\(script line 1, column \d+\)$/, template);
  }
});
