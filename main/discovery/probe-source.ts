import net from 'node:net';
import type { SecurityMode } from '../../preload/contract/accounts.ts';
import { parseCapabilities } from '../smtp/capabilities.ts';
import { SmtpDialogue, type SmtpReply } from '../smtp/smtp-dialogue.ts';
import { negotiateTls, type TlsOutcome } from '../smtp/tls-diagnosis.ts';
import type { RemoteSource } from './discover.ts';
import type { DiscoveryNetwork, SourceOutcome } from './discovery-ports.ts';
import type { LookupQuery } from './lookup-query.ts';

/** One place to knock: a host name under the domain, a submission port and how it encrypts. */
export interface ProbeCandidate {
  /** `smtp` or `mail`: the host is `<prefix>.<domain>`. */
  readonly prefix: string;
  readonly port: number;
  readonly security: Exclude<SecurityMode, 'none'>;
}

/**
 * In order of preference: smtp.<domain> before mail.<domain>, and on each implicit TLS (465) before
 * STARTTLS (587), as RFC 8314 §3.3 prefers. Never port 25 and never plaintext: probing must not
 * offer what the account editor would have to warn about.
 */
export const PROBE_CANDIDATES: readonly ProbeCandidate[] = [
  { prefix: 'smtp', port: 465, security: 'tls' },
  { prefix: 'smtp', port: 587, security: 'starttls' },
  { prefix: 'mail', port: 465, security: 'tls' },
  { prefix: 'mail', port: 587, security: 'starttls' },
];

/** The name a probe says EHLO with, as the connection test does. */
const CLIENT_NAME = 'outbox.localhost';

/** Why a probe found no usable server here: a plain sentence for the attempt's detail. */
class NotThere extends Error {}

function expectReply(reply: SmtpReply, code: number, what: string): void {
  if (reply.code !== code) throw new NotThere(`it answered ${what} with ${reply.code} ${reply.text}`);
}

/** A TCP connection that the lookup's end destroys (net's `signal`), to where `route` says. */
function connect(network: Pick<DiscoveryNetwork, 'route'>, host: string, port: number, signal: AbortSignal) {
  const target = network.route(host, port);
  return new Promise<net.Socket>((resolve, reject) => {
    const socket = net.connect({ host: target.host, port: target.port, noDelay: true, signal });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * The TLS handshake with the connection test's code. A certificate that is not trusted still shows
 * a server is there: the connection test refuses it later, before any password goes, unless the
 * user pins it. Its socket is closed by `negotiateTls` then, so nothing more is asked.
 */
async function handshake(
  plain: net.Socket,
  host: string,
  candidate: ProbeCandidate,
  timeoutMs: number,
): Promise<Extract<TlsOutcome, { ok: true }> | { ok: 'untrusted'; why: string }> {
  const outcome = await negotiateTls(
    plain,
    { host, port: candidate.port, security: candidate.security },
    timeoutMs,
  );
  if (outcome.ok) return outcome;
  if (outcome.diagnosis.error.code === 'certificate_untrusted') {
    return { ok: 'untrusted', why: outcome.diagnosis.error.message };
  }
  throw new NotThere(outcome.diagnosis.error.message);
}

/**
 * Knocks on one candidate: only the greeting, EHLO, STARTTLS (587) and QUIT are exchanged; no
 * password and no mail. Says what it saw, or throws NotThere (or the socket's error).
 */
async function knock(
  network: Pick<DiscoveryNetwork, 'route'>,
  host: string,
  candidate: ProbeCandidate,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<string> {
  const plain = await connect(network, host, candidate.port, signal);
  let session: SmtpDialogue | undefined;
  const sockets = new Set<net.Socket>([plain]);
  // The dialogue waits on its own timer; destroying the sockets ends that wait at once.
  const destroy = () => {
    for (const socket of sockets) socket.destroy();
  };
  signal.addEventListener('abort', destroy, { once: true });
  const converse = async (): Promise<string> => {
    if (candidate.security === 'tls') {
      const secured = await handshake(plain, host, candidate, timeoutMs);
      if (secured.ok === 'untrusted') return `TLS on port 465 answers, but ${lowerFirst(secured.why)}`;
      sockets.add(secured.socket);
      session = new SmtpDialogue(secured.socket, timeoutMs);
      expectReply(await session.read(), 220, 'the connection');
      expectReply(await session.command(`EHLO ${CLIENT_NAME}`), 250, 'EHLO');
      return `An SMTP server answers with TLS on port 465 (${secured.detail})`;
    }
    session = new SmtpDialogue(plain, timeoutMs);
    expectReply(await session.read(), 220, 'the connection');
    const ehlo = await session.command(`EHLO ${CLIENT_NAME}`);
    expectReply(ehlo, 250, 'EHLO');
    if (!parseCapabilities(ehlo.lines).starttls) throw new NotThere('it does not offer STARTTLS');
    expectReply(await session.command('STARTTLS'), 220, 'STARTTLS');
    // RFC 3207 §4.2 / the STARTTLS injection class: nothing may follow the 220 in plaintext.
    if (session.hasUnread()) throw new NotThere('it sent more after agreeing to STARTTLS');
    let untrusted: string | undefined;
    const upgraded = await session
      .upgrade(async (socket) => {
        const secured = await handshake(socket, host, candidate, timeoutMs);
        if (secured.ok === 'untrusted') {
          untrusted = secured.why;
          throw new NotThere(secured.why);
        }
        sockets.add(secured.socket);
        return secured.socket;
      })
      .catch((error: unknown) => {
        if (untrusted === undefined) throw error;
        return undefined;
      });
    if (!upgraded) return `STARTTLS on port 587 works, but ${lowerFirst(untrusted ?? '')}`;
    expectReply(await session.command(`EHLO ${CLIENT_NAME}`), 250, 'EHLO over TLS');
    return 'An SMTP server answers on port 587 and STARTTLS succeeds';
  };
  try {
    const seen = await converse();
    // A polite QUIT for a session that went well; anything else is just closed.
    await session?.close();
    return seen;
  } finally {
    signal.removeEventListener('abort', destroy);
    destroy();
  }
}

const lowerFirst = (text: string) => `${text.charAt(0).toLowerCase()}${text.slice(1)}`;

/** One candidate as a source: the lookup asks them all at once and takes the first in order that answers. */
export function probeSource(
  network: Pick<DiscoveryNetwork, 'route'>,
  candidate: ProbeCandidate,
  timeoutMs: number,
): RemoteSource {
  return {
    source: 'probe',
    run: async (query: LookupQuery, signal: AbortSignal): Promise<SourceOutcome> => {
      const host = `${candidate.prefix}.${query.domain}`;
      const where = `${host}:${candidate.port}`;
      let seen: string;
      try {
        seen = await knock(network, host, candidate, signal, timeoutMs);
      } catch (error) {
        signal.throwIfAborted();
        const why = error instanceof NotThere ? error.message : describeFailure(error);
        return { attempt: { source: 'probe', outcome: 'nothing', detail: `${where}: ${why}.` } };
      }
      return {
        finding: {
          source: 'probe',
          via: `a test connection to ${where}`,
          servers: [
            {
              host,
              port: candidate.port,
              security: candidate.security,
              username: query.address,
              signIn: ['password'],
            },
          ],
          // smtp.<domain> and mail.<domain> are the domain's own names.
          confirm: false,
        },
        attempt: { source: 'probe', outcome: 'found', detail: `${where}: ${seen}.` },
      };
    },
  };
}

function describeFailure(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (code === 'ENOTFOUND') return 'no such host';
  if (code === 'ECONNREFUSED') return 'nothing accepts connections';
  return error instanceof Error ? error.message : String(error);
}

/** Source 6, the last resort: every candidate, probed side by side. */
export function probeSources(network: Pick<DiscoveryNetwork, 'route'>, timeoutMs: number): RemoteSource[] {
  return PROBE_CANDIDATES.map((candidate) => probeSource(network, candidate, timeoutMs));
}
