/**
 * A message another program hands Outbox to open in compose (issue 18): from a mailto: URL
 * (RFC 6068), Thunderbird's `-compose` argument, `outbox compose` or the xdg-email hook. It only
 * ever prefills a compose window; nothing here sends.
 *
 * Everything in it came from outside and is untrusted until the parsers have checked it: addresses
 * valid, no CR or LF in a header field, sizes bounded.
 */
export interface ComposeRequest {
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject?: string;
  /** Plain text; line breaks are LF. */
  readonly body?: string;
  /** The Message-ID the new message replies to, angle brackets included (RFC 5322 §3.6.4). */
  readonly inReplyTo?: string;
  /**
   * Absolute paths of files to attach, decoded from paths or file:// URIs. Present only when the
   * request came through a launch path the OS or the user controls (never a web page's mailto:
   * link) and not yet screened: see handed-paths.ts.
   */
  readonly attachments: readonly string[];
}

/**
 * Where a request came from, which decides whether it may name files to attach: `link` is a
 * mailto: URL the OS hands the app when a link is clicked (a web page chose it: "Mailto: Me Your
 * Secrets"), `program` is another program or the user at a terminal (argv's -compose, `outbox
 * compose`, the xdg-email hook).
 */
export type HandoffSource = 'link' | 'program';
