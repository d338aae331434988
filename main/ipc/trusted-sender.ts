/** What main knows about the frame that sent an IPC message. */
export interface SenderInfo {
  /** The sending frame's URL. */
  readonly url: string;
  /** True when the sender is the top-level frame, not an iframe. */
  readonly isMainFrame: boolean;
  /** True when the message came from the web contents of our own window. */
  readonly isOurWindow: boolean;
}

/**
 * Scheme and host, compared exactly: a prefix check would let `app://outbox.evil` through. Built by
 * hand because Node's URL gives custom schemes such as `app:` the opaque origin "null".
 */
function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : undefined;
  } catch {
    return undefined;
  }
}

/** Only our own window's top-level page, loaded from our own origin, may call main. */
export function isTrustedSender(sender: SenderInfo, trustedOrigin: string): boolean {
  return sender.isOurWindow && sender.isMainFrame && originOf(sender.url) === trustedOrigin;
}
