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
 * Only our own top-level page may call main. Origins are compared exactly: a prefix check would let
 * `app://outbox.evil` through.
 */
export function isTrustedSender(sender: SenderInfo, trustedOrigin: string): boolean {
  if (!sender.isOurWindow || !sender.isMainFrame) return false;
  try {
    return new URL(sender.url).origin === trustedOrigin;
  } catch {
    return false;
  }
}
