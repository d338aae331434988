import { originOf } from '../security/origin.ts';

/** What main knows about the frame that sent an IPC message. */
export interface SenderInfo {
  /** The sending frame's URL. */
  readonly url: string;
  /** True when the sender is the top-level frame, not an iframe. */
  readonly isMainFrame: boolean;
  /** True when the message came from the web contents of our own window. */
  readonly isOurWindow: boolean;
}

/** Only our own window's top-level page, loaded from our own origin, may call main. */
export function isTrustedSender(sender: SenderInfo, trustedOrigin: string): boolean {
  return sender.isOurWindow && sender.isMainFrame && originOf(sender.url) === trustedOrigin;
}
