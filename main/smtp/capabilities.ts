import type { ConnectionReport } from '../../preload/contract/accounts.ts';

/** What a server's EHLO reply says it accepts. */
export type Capabilities = NonNullable<ConnectionReport['capabilities']>;

/** Finds an extension's line (upper case, with its parameters) among the EHLO lines after the first. */
function extensionFinder(ehloLines: readonly string[]): (name: string) => string | undefined {
  const extensions = ehloLines.slice(1).map((line) => line.trim().toUpperCase());
  return (name) => extensions.find((line) => line === name || line.startsWith(`${name} `));
}

/** Whether a session may carry 8-bit bodies (RFC 6152) and UTF-8 headers and addresses (RFC 6531). */
export interface ContentExtensions {
  readonly eightBitMime: boolean;
  readonly smtpUtf8: boolean;
}

/** Reads them from a whole EHLO reply as nodemailer keeps it (`250-name\n250-8BITMIME\n250 …`). */
export function contentExtensions(ehloReply: string): ContentExtensions {
  const keyword = extensionFinder(ehloReply.split(/\r?\n/).map((line) => line.replace(/^\d{3}[ -]?/, '')));
  return { eightBitMime: keyword('8BITMIME') !== undefined, smtpUtf8: keyword('SMTPUTF8') !== undefined };
}

/**
 * Reads the extensions from an EHLO reply's lines (their text, without the `250` code). The first
 * line is the server's greeting name; each further line is one extension (RFC 5321 §4.1.1.1),
 * matched without regard to case.
 */
export function parseCapabilities(ehloLines: readonly string[]): Capabilities {
  const keyword = extensionFinder(ehloLines);
  const size = /^SIZE\s+(\d+)/.exec(keyword('SIZE') ?? '')?.[1];
  const auth = keyword('AUTH')?.split(/\s+/).slice(1) ?? [];
  return {
    ...(size === undefined ? {} : { size: Number(size) }),
    auth,
    pipelining: keyword('PIPELINING') !== undefined,
    smtputf8: keyword('SMTPUTF8') !== undefined,
    starttls: keyword('STARTTLS') !== undefined,
  };
}

/** One sentence for the connection test's report. */
export function describeCapabilities(capabilities: Capabilities): string {
  const parts = [
    capabilities.size ? `messages up to ${capabilities.size} bytes` : 'no size limit announced',
    capabilities.auth.length > 0 ? `sign-in with ${capabilities.auth.join(', ')}` : 'no sign-in offered',
    capabilities.pipelining ? 'PIPELINING' : undefined,
    capabilities.smtputf8 ? 'SMTPUTF8' : undefined,
    capabilities.starttls ? 'STARTTLS' : undefined,
  ];
  return `The server accepts ${parts.filter((part) => part !== undefined).join('; ')}.`;
}
