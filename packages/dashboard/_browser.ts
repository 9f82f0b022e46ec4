/**
 * What the dashboard's browser tests share: Debian's Chromium driven by
 * playwright-core, child processes of Deno (the engine, the dashboard) and
 * their output read line by line.
 */
import { fileURLToPath as fromFileUrl } from "node:url";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const ROOT = fromFileUrl(new URL("../../", import.meta.url));
export const OUTPUT = `${ROOT}tests/output`;
export const hasChromium = (() => {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
})();
if (!hasChromium) console.log(`Skipping the dashboard browser test: ${CHROMIUM} is not installed`);

/** Reads a child's stdout line by line until one matches. */
export async function waitForLine(
  lines: AsyncIterator<string>,
  pattern: RegExp,
): Promise<RegExpMatchArray> {
  for (;;) {
    const { value, done } = await lines.next();
    if (done) throw new Error(`Output ended before a line matched ${pattern}`);
    const match = value.match(pattern);
    if (match) return match;
  }
}

export function linesOf(stream: ReadableStream<Uint8Array>): AsyncIterator<string> {
  return (async function* () {
    let buffer = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      buffer += text;
      let end;
      while ((end = buffer.indexOf("\n")) >= 0) {
        yield buffer.slice(0, end);
        buffer = buffer.slice(end + 1);
      }
    }
  })();
}

export function spawnDeno(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

export async function launch(): Promise<Browser> {
  return await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}
