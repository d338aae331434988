import fs from 'node:fs';

/**
 * Random bytes and ids from the operating system's CSPRNG, without node:crypto: loading it costs a
 * command ~11 ms and ~2 MB (issue 17), and `outbox sendmail` or `outbox compose` need random data
 * only for ids and file names. Everywhere but Windows the bytes come from /dev/urandom (on Linux
 * getrandom(2)'s source, which never blocks once the system has booted), read a pool at a time as
 * Node's own randomUUID does; on Windows, or where the device cannot be read (a chroot without
 * /dev), from node:crypto.
 */

const POOL_BYTES = 4096;
let pool: Buffer | undefined;
let taken = POOL_BYTES;

/** `size` bytes no one else is handed. */
export function randomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return fromSystem(size);
  if (pool === undefined || taken + size > POOL_BYTES) {
    pool = fromSystem(POOL_BYTES);
    taken = 0;
  }
  const bytes = Buffer.allocUnsafe(size);
  pool.copy(bytes, 0, taken, taken + size);
  // What was handed out is not kept, should the process's memory ever be read.
  pool.fill(0, taken, taken + size);
  taken += size;
  return bytes;
}

/** An RFC 9562 §5.4 version 4 UUID, as crypto.randomUUID() makes: 122 random bits. */
export function randomUuid(): string {
  const bytes = randomBytes(16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function fromSystem(size: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  if (process.platform !== 'win32' && readDevice(bytes)) return bytes;
  return process.getBuiltinModule('node:crypto').randomFillSync(bytes);
}

/** Fills `bytes` from /dev/urandom; false when it cannot be read. */
function readDevice(bytes: Buffer): boolean {
  let fd: number;
  try {
    fd = fs.openSync('/dev/urandom', 'r');
  } catch {
    return false;
  }
  try {
    // Only the kernel's device: a regular file there (a damaged image) would hand out the same bytes.
    if (!fs.fstatSync(fd).isCharacterDevice()) return false;
    // A read may return fewer bytes than asked (a signal); none at all means no device to trust.
    for (let filled = 0; filled < bytes.length;) {
      const read = fs.readSync(fd, bytes, filled, bytes.length - filled, null);
      if (read === 0) return false;
      filled += read;
    }
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}
