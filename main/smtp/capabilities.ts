import type { ConnectionReport } from '../../preload/contract/accounts.ts';

/** What a server's EHLO reply says it accepts. */
export type Capabilities = NonNullable<ConnectionReport['capabilities']>;

/**
 * Reads the extensions from an EHLO reply's lines (their text, without the `250` code). The first
 * line is the server's greeting name; each further line is one extension (RFC 5321 §4.1.1.1),
 * matched without regard to case.
 */
export function parseCapabilities(ehloLines: readonly string[]): Capabilities {
  const extensions = ehloLines.slice(1).map((line) => line.trim().toUpperCase());
  const keyword = (name: string) => extensions.find((line) => line === name || line.startsWith(`${name} `));
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
