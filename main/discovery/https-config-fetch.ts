import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { DiscoveryNetwork } from './discovery-ports.ts';

/** What asking one URL gave: the body, nothing there, or a refusal worth telling. */
export type ConfigFetch =
  | { readonly kind: 'body'; readonly text: string; readonly url: URL }
  /** Nothing is served there (no such host, refused, 404): a normal answer for most domains. */
  | { readonly kind: 'absent'; readonly detail: string }
  /** Something answered but could not be used (untrusted certificate, too large, plain HTTP). */
  | { readonly kind: 'refused'; readonly detail: string };

/**
 * Redirects followed, each to https only. Thunderbird follows them and some hosts answer the
 * autoconfig name with a redirect to their main site; two is enough for that and bounds a loop.
 */
export const MAX_REDIRECTS = 2;

/** Connection failures that mean "nothing is served there" rather than "something is wrong". */
const ABSENT_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH']);

const errorCode = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';

/** TLS errors of the certificate itself (OpenSSL's codes Node reports), as opposed to the connection. */
const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_ALTNAME/;

/** One request, no redirect handling: the response with its body, or why there is none. */
function request(
  url: URL,
  network: Pick<DiscoveryNetwork, 'route' | 'extraCa'>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<ConfigFetch | { kind: 'redirect'; location: string }> {
  const port = url.port === '' ? 443 : Number(url.port);
  const target = network.route(url.hostname, port);
  return new Promise((resolve) => {
    const req = https.request({
      host: target.host,
      port: target.port,
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      // The certificate is checked against the name asked for, wherever the route leads.
      servername: url.hostname,
      headers: { host: url.host, accept: 'application/xml, text/xml' },
      // System CAs plus the extra ones: `ca` replaces Node's list, so both are given.
      ...(network.extraCa?.length ? { ca: [...tls.rootCertificates, ...network.extraCa] } : {}),
      minVersion: 'TLSv1.2',
      rejectUnauthorized: true,
      agent: false,
      signal,
    });
    req.on('error', (error) => {
      resolve(failure(url, error, signal));
    });
    req.on('response', (response) => {
      onResponse(url, response, maxBytes, resolve, () => req.destroy());
    });
    req.end();
  });
}

function failure(url: URL, error: Error, signal: AbortSignal): ConfigFetch {
  const code = errorCode(error);
  if (signal.aborted) return { kind: 'absent', detail: `${url.host} did not answer in time.` };
  if (CERTIFICATE_ERROR.test(code)) {
    return {
      kind: 'refused',
      detail: `The certificate of ${url.hostname} is not trusted (${code}); its file was not read.`,
    };
  }
  if (ABSENT_CODES.has(code)) return { kind: 'absent', detail: `${url.host} serves nothing (${code}).` };
  return { kind: 'refused', detail: `${url.host} could not be asked securely (${code || error.message}).` };
}

function onResponse(
  url: URL,
  response: IncomingMessage,
  maxBytes: number,
  resolve: (result: ConfigFetch | { kind: 'redirect'; location: string }) => void,
  abort: () => void,
): void {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400 && response.headers.location) {
    response.resume();
    resolve({ kind: 'redirect', location: response.headers.location });
    return;
  }
  if (status !== 200) {
    response.resume();
    resolve({ kind: 'absent', detail: `${url.host} answered ${status} for ${url.pathname}.` });
    return;
  }
  // Content-Type is not trusted (servers label XML every way); the parser decides what it is.
  const declared = Number(response.headers['content-length']);
  const tooLarge: ConfigFetch = {
    kind: 'refused',
    detail: `The file at ${url.host} is larger than ${maxBytes / 1024} KB; it was not read.`,
  };
  if (declared > maxBytes) {
    abort();
    resolve(tooLarge);
    return;
  }
  const chunks: Buffer[] = [];
  let length = 0;
  response.on('data', (chunk: Buffer) => {
    length += chunk.length;
    // Stop reading as soon as the cap is passed: nothing beyond it is ever buffered.
    if (length > maxBytes) {
      abort();
      resolve(tooLarge);
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () => {
    resolve({ kind: 'body', text: Buffer.concat(chunks).toString('utf8'), url });
  });
  response.on('error', () => {
    resolve({ kind: 'absent', detail: `${url.host} broke off its answer.` });
  });
}

/**
 * Fetches a client configuration over HTTPS only (issue 16: a config over plain HTTP could send the
 * password to whoever is on the path): the certificate verified against the system's CAs and
 * `extraCa`, at most MAX_REDIRECTS redirects, each to https, and at most `maxBytes` read while it
 * streams in. Never throws; an abort gives `absent`.
 */
export async function fetchConfig(
  url: URL,
  network: Pick<DiscoveryNetwork, 'route' | 'extraCa'>,
  maxBytes: number,
  signal: AbortSignal,
): Promise<ConfigFetch> {
  let current = url;
  for (let redirects = 0; ; redirects++) {
    const result = await request(current, network, maxBytes, signal);
    if (result.kind !== 'redirect') return result;
    let next: URL;
    try {
      next = new URL(result.location, current);
    } catch {
      return { kind: 'refused', detail: `${current.host} redirects to an address that is not one.` };
    }
    if (next.protocol !== 'https:') {
      return {
        kind: 'refused',
        detail: `${current.host} redirects to ${next.protocol.replace(':', '')}, not HTTPS; ignored.`,
      };
    }
    if (redirects >= MAX_REDIRECTS) {
      return { kind: 'refused', detail: `${url.host} redirects more than ${MAX_REDIRECTS} times.` };
    }
    current = next;
  }
}
