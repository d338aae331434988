/** The renderer's own origin. A custom scheme gives it a stable origin that IPC senders are checked against. */
export const APP_ORIGIN = 'app://outbox';

/**
 * Scheme and host of a URL, for exact comparison: a prefix check would let `app://outbox.evil`
 * through. Built by hand because Node's URL gives custom schemes such as `app:` the opaque origin
 * "null".
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : undefined;
  } catch {
    return undefined;
  }
}
