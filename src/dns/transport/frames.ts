// Splits a TCP byte stream into DNS messages (RFC 1035 §4.2.2: 2-byte big-endian length prefix).
// Chunks are kept as received and joined once per complete frame, so a slow drip costs linear time.

export type Frame = Uint8Array | "too-short" | "too-long" | undefined;

export class FrameReader {
  #chunks: Buffer[] = [];
  #length = 0;

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /**
   * The next complete message, "too-short" for a length below a DNS header (12), "too-long" for one
   * above `maxSize` (known from the prefix, before the body arrives), or undefined for "need more".
   */
  next(maxSize = 65535): Frame {
    if (this.#length < 2) return undefined;
    if (this.#chunks[0]!.length < 2) this.#chunks = [Buffer.concat(this.#chunks)];
    const first = this.#chunks[0]!;
    const size = first.readUInt16BE(0);
    if (size < 12) return "too-short";
    if (size > maxSize) return "too-long";
    if (this.#length < 2 + size) return undefined;
    const all = this.#chunks.length === 1 ? first : Buffer.concat(this.#chunks, this.#length);
    const frame = all.subarray(2, 2 + size);
    const rest = all.subarray(2 + size);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    return frame;
  }
}
