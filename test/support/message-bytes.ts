/** Message bytes that differ per seed and per position (no two messages alike, every byte value occurs). */
export function messageBytes(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return bytes;
}
