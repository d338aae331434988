/** What main knows about the frame that sent an IPC message. */
export interface SenderInfo {
  /** The sending frame's URL. */
  readonly url: string;
  /** True when the sender is the top-level frame, not an iframe. */
  readonly isMainFrame: boolean;
}

/**
 * Only our own top-level page may call main. Origins are compared exactly: a prefix check would let
 * `app://outbox.evil` through.
 */
export function isTrustedSender(sender: SenderInfo, trustedOrigin: string): boolean {
  if (!sender.isMainFrame) return false;
  try {
    return new URL(sender.url).origin === trustedOrigin;
  } catch {
    return false;
  }
}
