/**
 * Reads a bash script template far enough to know, for each `${{ }}`, what
 * bash would make of text put there: an unquoted word, the inside of double or
 * single quotes, a comment, arithmetic, or a here-document line. Pure.
 *
 * This is a small lexer, not a bash parser: it tracks quotes, `$( )`, `` ` ` ``,
 * `${ }`, `$(( ))`, `(( ))`, array subscripts, comments, `case` patterns and
 * here-documents - what decides how a value must be quoted. Hand-written
 * because no maintained bash lexer runs in Deno; its table test runs each
 * construct through a real bash.
 */

/** Where in a bash script an interpolation sits. */
export type ShellContext =
  | "word"
  | "double"
  | "param-double"
  | "single"
  | "ansi"
  | "comment"
  | "arith"
  | "heredoc"
  | "heredoc-literal";

/** One `${{ expression }}` of the template. */
export interface ShellValuePart {
  expression: string;
  context: ShellContext;
  /** The here-document it is in, so the rendered line can be checked against its delimiter. */
  heredoc?: { delimiter: string; stripTabs: boolean };
  /**
   * How many `` ` ` `` command substitutions enclose it: bash removes one level
   * of backslashes before `\``, `\\` and `$` in each before parsing the inside.
   */
  backticks?: number;
}

/** The template cut into literal text and interpolations, plus what is wrong with it. */
export interface ShellTemplate {
  parts: (string | ShellValuePart)[];
  problems: string[];
}

type Frame =
  | { kind: "cmd"; close: ")" | "`" | ""; parens: number; cases: number; command: boolean }
  | { kind: "double" | "single" | "ansi" | "comment" }
  | { kind: "param"; inner: ParamInner; braces: number }
  | { kind: "arith"; close: "))" | "]" | "}"; parens: number }
  | {
    kind: "heredoc";
    delimiter: string;
    literal: boolean;
    stripTabs: boolean;
    lineStart: boolean;
  };

type Heredoc = { delimiter: string; literal: boolean; stripTabs: boolean };
/** How the words inside `${ }` are read: as in the context the `${` is in. */
type ParamInner = "word" | "double" | "heredoc" | "arith";

const NAME_SUBSCRIPT = /[A-Za-z_][A-Za-z0-9_]*\[/y;
const PARAM_NAME = /[#!]?([A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/y;
const BARE_WORD = /[A-Za-z0-9_]+/y;
const KEEPS_COMMAND_POSITION = new Set([
  "if",
  "then",
  "else",
  "elif",
  "do",
  "while",
  "until",
  "time",
  "!",
  "{",
]);

/**
 * Cuts a bash script template into text and interpolations, each with its context.
 *
 * @example
 * ```ts
 * parseShellTemplate('echo ${{ params.a }} "${{ params.b }}"').parts;
 * // ["echo ", { expression: "params.a", context: "word" }, ' "', { expression: "params.b", context: "double" }, '"']
 * ```
 */
export function parseShellTemplate(template: string): ShellTemplate {
  return new Lexer(template).run();
}

class Lexer {
  #text: string;
  #i = 0;
  #literalStart = 0;
  #stack: Frame[] = [{ kind: "cmd", close: "", parens: 0, cases: 0, command: true }];
  #pending: Heredoc[] = [];
  #wordStart = true;
  #parts: (string | ShellValuePart)[] = [];
  #problems: string[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  run(): ShellTemplate {
    while (this.#i < this.#text.length) {
      if (this.#text.startsWith("${{", this.#i)) {
        if (!this.#interpolation()) break;
        continue;
      }
      const frame = this.#stack.at(-1)!;
      switch (frame.kind) {
        case "cmd":
          this.#cmd(frame);
          break;
        case "double":
          this.#double();
          break;
        case "single":
          this.#until("'");
          break;
        case "ansi":
          this.#ansi();
          break;
        case "comment":
          if (this.#text[this.#i] === "\n") this.#stack.pop();
          else this.#i++;
          break;
        case "param":
          this.#param(frame);
          break;
        case "arith":
          this.#arith(frame);
          break;
        case "heredoc":
          this.#heredoc(frame);
          break;
      }
    }
    this.#flush(this.#text.length);
    return { parts: this.#parts, problems: this.#problems };
  }

  #interpolation(): boolean {
    const end = this.#text.indexOf("}}", this.#i + 3);
    if (end < 0) {
      this.#problem("Unclosed `${{`: expected `}}`");
      return false;
    }
    this.#flush(this.#i);
    const frame = this.#stack.at(-1)!;
    const part: ShellValuePart = {
      expression: this.#text.slice(this.#i + 3, end).trim(),
      context: contextOf(frame),
    };
    if (frame.kind === "heredoc") {
      part.heredoc = { delimiter: frame.delimiter, stripTabs: frame.stripTabs };
    } else if (frame.kind === "param" && frame.inner === "heredoc") {
      const body = this.#stack.findLast((f) => f.kind === "heredoc");
      if (body?.kind === "heredoc") {
        part.heredoc = { delimiter: body.delimiter, stripTabs: body.stripTabs };
      }
    }
    const backticks = this.#stack.filter((f) => f.kind === "cmd" && f.close === "`").length;
    if (backticks > 0) part.backticks = backticks;
    this.#parts.push(part);
    this.#i = end + 2;
    this.#literalStart = this.#i;
    this.#wordStart = false;
    if (frame.kind === "cmd") frame.command = false;
    if (frame.kind === "heredoc") frame.lineStart = false;
    return true;
  }

  #cmd(frame: Extract<Frame, { kind: "cmd" }>): void {
    const c = this.#text[this.#i]!;
    const wordStart = this.#wordStart;
    this.#wordStart = false;
    if (c === "\\") return this.#escape();
    if (c === "'") return this.#push({ kind: "single" }, 1);
    if (c === '"') return this.#push({ kind: "double" }, 1);
    if (c === "$") return this.#dollar("word", true);
    if (c === "`") {
      if (frame.close === "`") return this.#pop(1);
      return this.#push({ kind: "cmd", close: "`", parens: 0, cases: 0, command: true }, 1);
    }
    if (c === "#" && wordStart) return this.#push({ kind: "comment" }, 1);
    if ((c === "<" || c === ">") && this.#text[this.#i + 1] === "(") {
      return this.#push({ kind: "cmd", close: ")", parens: 0, cases: 0, command: true }, 2);
    }
    if (c === "<" && this.#text.startsWith("<<", this.#i)) return this.#heredocStart();
    if (c === "(") {
      if (wordStart && frame.command && this.#text[this.#i + 1] === "(") {
        return this.#push({ kind: "arith", close: "))", parens: 0 }, 2);
      }
      frame.parens++;
      return this.#separator(frame);
    }
    if (c === ")") {
      if (frame.parens > 0) frame.parens--;
      else if (frame.close === ")" && frame.cases === 0) return this.#pop(1);
      return this.#separator(frame); // a case pattern ends: a command follows
    }
    if (c === "\n") {
      this.#separator(frame);
      this.#startHeredocs();
      return;
    }
    if (c === ";" || c === "&" || c === "|") return this.#separator(frame);
    if (c === " " || c === "\t") {
      this.#wordStart = true;
      this.#i++;
      return;
    }
    if (wordStart) return this.#word(frame);
    this.#i++;
  }

  #separator(frame: Extract<Frame, { kind: "cmd" }>): void {
    frame.command = true;
    this.#wordStart = true;
    this.#i++;
  }

  /** A word at its start: `name[` opens an arithmetic subscript; `case` and `esac` are counted. */
  #word(frame: Extract<Frame, { kind: "cmd" }>): void {
    NAME_SUBSCRIPT.lastIndex = this.#i;
    if (NAME_SUBSCRIPT.test(this.#text)) {
      frame.command = false;
      return this.#push(
        { kind: "arith", close: "]", parens: 0 },
        NAME_SUBSCRIPT.lastIndex - this.#i,
      );
    }
    BARE_WORD.lastIndex = this.#i;
    const word = BARE_WORD.exec(this.#text)?.[0] ?? this.#text[this.#i]!;
    if (frame.command && word === "case") frame.cases++;
    if (word === "esac" && frame.cases > 0) frame.cases--;
    frame.command = KEEPS_COMMAND_POSITION.has(word);
    this.#i += word.length;
  }

  #double(): void {
    const c = this.#text[this.#i]!;
    if (c === '"') return this.#pop(1);
    if (c === "\\") return this.#escape();
    if (c === "$") return this.#dollar("double", false);
    if (c === "`") {
      return this.#push({ kind: "cmd", close: "`", parens: 0, cases: 0, command: true }, 1);
    }
    this.#i++;
  }

  #ansi(): void {
    const c = this.#text[this.#i]!;
    if (c === "'") return this.#pop(1);
    if (c === "\\") return this.#escape();
    this.#i++;
  }

  #param(frame: Extract<Frame, { kind: "param" }>): void {
    const c = this.#text[this.#i]!;
    if (c === "}") {
      if (frame.braces === 0) return this.#pop(1);
      frame.braces--;
    } else if (c === "{") frame.braces++;
    else if (c === "\\") return this.#escape();
    else if (c === "$") return this.#dollar(frame.inner, false);
    else if (c === '"') return this.#push({ kind: "double" }, 1);
    else if (c === "'" && frame.inner === "word") return this.#push({ kind: "single" }, 1);
    else if (c === "`") {
      return this.#push({ kind: "cmd", close: "`", parens: 0, cases: 0, command: true }, 1);
    }
    this.#i++;
  }

  #arith(frame: Extract<Frame, { kind: "arith" }>): void {
    const c = this.#text[this.#i]!;
    if (c === "(") frame.parens++;
    else if (c === ")" && frame.parens > 0) frame.parens--;
    else if (c === ")" && frame.close === "))" && this.#text[this.#i + 1] === ")") {
      return this.#pop(2);
    } else if (c === "]" && frame.close === "]" && frame.parens === 0) return this.#pop(1);
    else if (c === "}" && frame.close === "}") return void this.#stack.pop();
    else if (c === "\\") return this.#escape();
    else if (c === "$") return this.#dollar("arith", false);
    else if (c === '"') return this.#push({ kind: "double" }, 1);
    else if (c === "`") {
      return this.#push({ kind: "cmd", close: "`", parens: 0, cases: 0, command: true }, 1);
    }
    this.#i++;
  }

  #heredoc(frame: Extract<Frame, { kind: "heredoc" }>): void {
    if (frame.lineStart) {
      frame.lineStart = false;
      const end = this.#text.indexOf("\n", this.#i);
      const line = this.#text.slice(this.#i, end < 0 ? this.#text.length : end);
      if ((frame.stripTabs ? line.replace(/^\t+/, "") : line) === frame.delimiter) {
        this.#i = end < 0 ? this.#text.length : end + 1;
        this.#stack.pop();
        this.#wordStart = true;
        this.#startHeredocs();
        return;
      }
    }
    const c = this.#text[this.#i]!;
    if (c === "\n") {
      frame.lineStart = true;
      this.#i++;
      return;
    }
    if (frame.literal) {
      this.#i++;
      return;
    }
    if (c === "\\") return this.#escape();
    if (c === "$") return this.#dollar("heredoc", false);
    if (c === "`") {
      return this.#push({ kind: "cmd", close: "`", parens: 0, cases: 0, command: true }, 1);
    }
    this.#i++;
  }

  /** `$` in an expanding context: `$(`, `$((`, `${`, `$[`, `$'`, `$"` or a plain `$`. */
  #dollar(inner: ParamInner, quotes: boolean): void {
    const next = this.#text.slice(this.#i + 1, this.#i + 4);
    if (next.startsWith("${{")) {
      this.#problem("`$` right before `${{` would let the value name a variable or a command");
      this.#i++;
      return;
    }
    if (next.startsWith("((")) return this.#push({ kind: "arith", close: "))", parens: 0 }, 3);
    if (next.startsWith("(")) {
      return this.#push({ kind: "cmd", close: ")", parens: 0, cases: 0, command: true }, 2);
    }
    if (next.startsWith("[")) return this.#push({ kind: "arith", close: "]", parens: 0 }, 2);
    if (next.startsWith("{")) return this.#paramStart(inner);
    if (quotes && next.startsWith("'")) return this.#push({ kind: "ansi" }, 2);
    if (quotes && next.startsWith('"')) return this.#push({ kind: "double" }, 2);
    this.#i++;
  }

  /** `${`: a name, then maybe a subscript or a substring offset, both arithmetic. */
  #paramStart(inner: ParamInner): void {
    this.#push({ kind: "param", inner, braces: 0 }, 2);
    if (this.#text.startsWith("${{", this.#i)) {
      this.#problem("`${{ }}` right after `${` would let the value name a variable");
      return;
    }
    PARAM_NAME.lastIndex = this.#i;
    if (!PARAM_NAME.test(this.#text)) return;
    this.#i = PARAM_NAME.lastIndex;
    if (this.#text[this.#i] === "[") {
      this.#push({ kind: "arith", close: "]", parens: 0 }, 1);
    } else if (this.#text[this.#i] === ":" && !"-=?+".includes(this.#text[this.#i + 1] ?? "")) {
      this.#push({ kind: "arith", close: "}", parens: 0 }, 1);
    }
  }

  #escape(): void {
    if (this.#text.startsWith("${{", this.#i + 1)) {
      this.#problem("A backslash right before `${{` would escape the value's quoting");
      this.#i++;
      return;
    }
    this.#i += 2;
  }

  #until(close: string): void {
    if (this.#text[this.#i] === close) return this.#pop(1);
    this.#i++;
  }

  /** `<<` or `<<-` and a delimiter word; the body starts after the line ends. */
  #heredocStart(): void {
    if (this.#text[this.#i + 2] === "<") {
      this.#i += 3; // a here-string
      return;
    }
    let i = this.#i + 2;
    const stripTabs = this.#text[i] === "-";
    if (stripTabs) i++;
    while (this.#text[i] === " " || this.#text[i] === "\t") i++;
    let delimiter = "";
    let literal = false;
    while (i < this.#text.length && !/[\s;&|<>()]/.test(this.#text[i]!)) {
      if (this.#text.startsWith("${{", i)) {
        this.#problem("A here-document delimiter cannot be interpolated");
        break;
      }
      const c = this.#text[i]!;
      if (c === "'" || c === '"') {
        const end = this.#text.indexOf(c, i + 1);
        const stop = end < 0 ? this.#text.length : end;
        delimiter += this.#text.slice(i + 1, stop);
        literal = true;
        i = stop + 1;
      } else if (c === "\\") {
        delimiter += this.#text[i + 1] ?? "";
        literal = true;
        i += 2;
      } else {
        delimiter += c;
        i++;
      }
    }
    if (delimiter !== "") this.#pending.push({ delimiter, literal, stripTabs });
    this.#i = Math.min(i, this.#text.length);
  }

  /** After a newline: the bodies of the here-documents opened on that line. */
  #startHeredocs(): void {
    const next = this.#pending.shift();
    if (next) this.#stack.push({ kind: "heredoc", ...next, lineStart: true });
  }

  #push(frame: Frame, length: number): void {
    this.#stack.push(frame);
    this.#i += length;
    this.#wordStart = frame.kind === "cmd";
  }

  #pop(length: number): void {
    if (this.#stack.length > 1) this.#stack.pop();
    this.#i += length;
    this.#wordStart = false;
  }

  #flush(end: number): void {
    if (end > this.#literalStart) this.#parts.push(this.#text.slice(this.#literalStart, end));
    this.#literalStart = end;
  }

  #problem(message: string): void {
    const before = this.#text.slice(0, this.#i).split("\n");
    this.#problems.push(
      `${message} (script line ${before.length}, column ${before.at(-1)!.length + 1})`,
    );
  }
}

function contextOf(frame: Frame): ShellContext {
  switch (frame.kind) {
    case "cmd":
      return "word";
    case "param":
      // Inside `"${x:-...}"` and in here-documents bash still pairs quotes:
      // a value goes in as a nested double-quoted string.
      return frame.inner === "double" || frame.inner === "heredoc" ? "param-double" : frame.inner;
    case "heredoc":
      return frame.literal ? "heredoc-literal" : "heredoc";
    default:
      return frame.kind;
  }
}
