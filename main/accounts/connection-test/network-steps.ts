import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type tls from 'node:tls';
import type { ErrorCode } from '../../../preload/contract/errors.ts';
import { classifySmtpError } from '../../smtp/smtp-failure.ts';
import { errorCode, negotiateTls } from '../../smtp/tls-diagnosis.ts';
import { connectSocket } from '../../smtp/transport-options.ts';
import type { TestRun } from './test-run.ts';

/** The `resolve` step: the server's name to addresses. */
export async function resolveHost(run: TestRun): Promise<void> {
  const { host } = run.target;
  if (net.isIP(host) !== 0) {
    run.ok('resolve', `${host} is an IP address; nothing to look up.`);
    return;
  }
  try {
    const addresses = await lookup(host, { all: true });
    if (addresses.length === 0)
      throw Object.assign(new Error(`No address for ${host}.`), { code: 'ENOTFOUND' });
    run.ok('resolve', `${host} is ${addresses.map((entry) => entry.address).join(', ')}.`);
  } catch (error) {
    const code = errorCode(error);
    run.fail('resolve', {
      error: {
        code: 'dns_failed',
        message: `The name ${host} could not be looked up (${code || 'DNS error'}).`,
      },
      hint:
        code === 'ENOTFOUND'
          ? 'Check the server name for typos. If it is right, your network or DNS may be down.'
          : 'The name server did not answer. Check your network connection, then try again.',
    });
  }
}

/** The `connect` step: a TCP connection, made the way delivery makes it. */
export async function connect(run: TestRun): Promise<net.Socket> {
  const { host, port } = run.target;
  const { connectMs } = run.timeouts;
  let socket: net.Socket;
  try {
    // By name, not by the address looked up: Node then tries IPv6 and IPv4 in turn (happy eyeballs).
    socket = await connectSocket(host, port, connectMs);
  } catch (error) {
    const failure = classifySmtpError(error as Error);
    const hints: Partial<Record<ErrorCode, string>> = {
      connection_refused: `Nothing accepts connections on port ${port}. Check the port: usually 465 for TLS or 587 for STARTTLS.`,
      timeout: `No answer within ${connectMs / 1000} s. A firewall or your provider may block port ${port} (port 25 is often blocked); try 465 or 587.`,
      offline: 'The network cannot reach the server. Check your connection.',
    };
    return run.fail('connect', {
      error: { code: failure.code, message: failure.message },
      hint: hints[failure.code] ?? 'Check the server name and port.',
    });
  }
  run.ok('connect', `Connected to ${socket.remoteAddress ?? host} port ${port}.`);
  return socket;
}

/** The `tls` step: the handshake, with the certificate kept for the report whether or not it is trusted. */
export async function secure(run: TestRun, plain: net.Socket): Promise<tls.TLSSocket> {
  const outcome = await negotiateTls(plain, run.target, run.timeouts.replyMs);
  run.certificate = outcome.certificate;
  if (!outcome.ok) return run.fail('tls', outcome.diagnosis);
  run.ok('tls', outcome.detail);
  return outcome.socket;
}
