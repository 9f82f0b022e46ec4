/**
 * SHA-256 of text, for stage keys and content digests. Pure. Written out
 * (FIPS 180-4) rather than taken from `node:crypto`: importing that loads
 * Deno's Node compatibility layer, about 45 ms of every command's start-up
 * here, for hashes of a few hundred bytes. Files are hashed natively
 * (`store/hash_file.ts`).
 */

const encoder = new TextEncoder();

/** The first 32 bits of the fractional parts of the roots of the first primes (§4.2.2, §5.3.3). */
function rootBits(count: number, root: (p: number) => number): Uint32Array {
  const primes: number[] = [];
  for (let n = 2; primes.length < count; n++) {
    if (primes.every((p) => n % p !== 0)) primes.push(n);
  }
  return Uint32Array.from(primes, (p) => {
    const r = root(p);
    return Math.floor((r - Math.floor(r)) * 2 ** 32);
  });
}

const K = rootBits(64, Math.cbrt);
const H0 = rootBits(8, Math.sqrt);
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const schedule = new Uint32Array(64);
/** Scratch space for the message and its padding, grown as needed. */
let padded = new Uint8Array(4096);

/**
 * SHA-256 of a string's UTF-8 bytes, as lowercase hex.
 *
 * @example
 * ```ts
 * sha256Hex("abc"); // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
 * ```
 */
export function sha256Hex(text: string): string {
  // UTF-8 takes at most 3 bytes per UTF-16 unit; encoded in place, no copy.
  if (padded.length < text.length * 3 + 72) padded = new Uint8Array(text.length * 6 + 144);
  const digest = sha256(encoder.encodeInto(text, padded).written);
  let hex = "";
  for (const word of digest) {
    hex += HEX[word >>> 24]! + HEX[(word >>> 16) & 255]! + HEX[(word >>> 8) & 255]! +
      HEX[word & 255]!;
  }
  return hex;
}

/** The digest of the first `size` bytes of `padded` as eight words (big-endian). */
function sha256(size: number): Uint32Array {
  // The message, a 1 bit, zeros, and its length in bits: a whole number of 64-byte blocks.
  const length = Math.ceil((size + 9) / 64) * 64;
  const p = padded;
  p.fill(0, size, length);
  p[size] = 0x80;
  const bitsHigh = Math.floor(size / 2 ** 29);
  const bitsLow = (size << 3) >>> 0;
  for (let i = 0; i < 4; i++) {
    p[length - 8 + i] = bitsHigh >>> (24 - 8 * i);
    p[length - 4 + i] = bitsLow >>> (24 - 8 * i);
  }

  const h = H0.slice();
  const w = schedule;
  for (let block = 0; block < length; block += 64) {
    for (let t = 0, i = block; t < 16; t++, i += 4) {
      w[t] = (p[i]! << 24) | (p[i + 1]! << 16) | (p[i + 2]! << 8) | p[i + 3]!;
    }
    for (let t = 16; t < 64; t++) {
      const a = w[t - 15]!, b = w[t - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[t] = (w[t - 16]! + s0 + w[t - 7]! + s1) | 0;
    }
    let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const choose = (e & f) ^ (~e & g);
      const t1 = (k + S1 + choose + K[t]! + w[t]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const majority = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + majority) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + k;
  }
  return h;
}
