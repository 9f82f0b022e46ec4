/** Reads exact byte counts from a stream of chunks of any size. */
export class ByteReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /** Up to `max` bytes (at least 1 unless the stream ended), without copying when possible. */
  async readSome(max: number): Promise<Uint8Array | null> {
    if (this.#buffered === 0 && !(await this.#fill())) return null;
    const head = this.#chunks[0]!;
    const take = head.subarray(0, Math.min(max, head.length));
    if (take.length === head.length) this.#chunks.shift();
    else this.#chunks[0] = head.subarray(take.length);
    this.#buffered -= take.length;
    return take;
  }

  /** Exactly `n` bytes, or fewer if the stream ends first. */
  async readExact(n: number): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const part = await this.readSome(n - got);
      if (!part) break;
      out.set(part, got);
      got += part.length;
    }
    return out.subarray(0, got);
  }

  /** Discards `n` bytes; returns how many were discarded. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const part = await this.readSome(left);
      if (!part) break;
      left -= part.length;
    }
    return n - left;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  async #fill(): Promise<boolean> {
    while (!this.#done && this.#buffered === 0) {
      const { value, done } = await this.#reader.read();
      if (done) this.#done = true;
      else if (value.length) {
        this.#chunks.push(value);
        this.#buffered += value.length;
      }
    }
    return this.#buffered > 0;
  }
}
