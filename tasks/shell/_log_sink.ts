/**
 * Where a shell stage's output goes: appended to the attempt's log as it
 * comes, with the last lines kept in memory. The log is created on the first
 * output: a stage that prints nothing costs no file. A log that cannot be written (a
 * full disk) stops being written, but the output is still drained and its tail
 * kept, so the failure message shows the command's own error.
 */

const TAIL_BYTES = 4096;

/** Appends output to a log file, tolerating write failures, and keeps the tail. */
export class LogSink {
  #path: string;
  #file: Deno.FsFile | undefined;
  #tail = new Uint8Array(0);
  /** Why the log stopped being written, if it did. */
  failure: string | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  /** Writes each chunk when it arrives, so the log can be tailed live. */
  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#keep(chunk);
    if (this.failure !== undefined) return;
    try {
      this.#file ??= Deno.openSync(this.#path, { append: true, create: true });
      for (let done = 0; done < chunk.length;) done += this.#file.writeSync(chunk.subarray(done));
    } catch (error) {
      this.failure = (error as Error).message;
      this.#close();
    }
  }

  /**
   * The last lines of output, indented, for a failure message.
   *
   * @example
   * ```ts
   * sink.tail(5); // ":\n  last line"
   * ```
   */
  tail(lines: number): string {
    const text = new TextDecoder().decode(this.#tail).trimEnd();
    if (text === "") return "";
    return `:\n  ${text.split("\n").slice(-lines).join("\n  ")}`;
  }

  close(): void {
    this.#close();
  }

  #keep(chunk: Uint8Array): void {
    if (chunk.length >= TAIL_BYTES) {
      this.#tail = chunk.slice(chunk.length - TAIL_BYTES);
      return;
    }
    const kept = Math.min(this.#tail.length, TAIL_BYTES - chunk.length);
    const next = new Uint8Array(kept + chunk.length);
    next.set(this.#tail.subarray(this.#tail.length - kept));
    next.set(chunk, kept);
    this.#tail = next;
  }

  #close(): void {
    try {
      this.#file?.close();
    } catch {
      // Closing a file whose writes failed may fail too.
    }
    this.#file = undefined;
  }
}
