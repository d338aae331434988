import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';

/** What the server does for one request: a body to send (status 200), or a handler of its own. */
export type WebReply = string | ((request: http.IncomingMessage, response: http.ServerResponse) => void);

export interface WebTestServer {
  readonly port: number;
  /** Replies by `host` + path without the query (`autoconfig.example.org/mail/config-v1.1.xml`). */
  readonly files: Map<string, WebReply>;
  /** Every request, as `host` + path with the query, in order. */
  readonly requests: string[];
  /** The requests for one host. */
  requestsFor(host: string): string[];
  /** Connections still open (a client that gave up must have closed its own). */
  openConnections(): Promise<number>;
  close(): Promise<void>;
}

function serve(server: http.Server | https.Server): Promise<WebTestServer> {
  const files = new Map<string, WebReply>();
  const requests: string[] = [];
  server.on('request', (request: http.IncomingMessage, response: http.ServerResponse) => {
    // The Host header names the site (the TLS server name matches it: one certificate has them all).
    const host = (request.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const url = new URL(request.url ?? '/', 'https://placeholder.invalid');
    requests.push(`${host}${url.pathname}${url.search}`);
    const reply = files.get(`${host}${url.pathname}`);
    if (reply === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not here');
    } else if (typeof reply === 'string') {
      response.writeHead(200, { 'content-type': 'text/xml' }).end(reply);
    } else {
      reply(request, response);
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        files,
        requests,
        requestsFor: (host) => requests.filter((request) => request.startsWith(`${host}/`)),
        openConnections: () =>
          new Promise<number>((done, fail) => {
            server.getConnections((error, count) => {
              if (error) fail(error);
              else done(count);
            });
          }),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => {
              done();
            });
          }),
      });
    });
  });
}

/** An HTTPS server on 127.0.0.1 with `cert` (one certificate naming every test host), serving files by host and path. */
export function startHttpsTestServer(tls: { key: string; cert: string }): Promise<WebTestServer> {
  return serve(https.createServer({ key: tls.key, cert: tls.cert }));
}

/** The same over plain HTTP: what a lookup must never read a configuration from. */
export function startHttpTestServer(): Promise<WebTestServer> {
  return serve(http.createServer());
}

/** A reply that takes the request and never answers (the lookup's time-out must end it). */
export const neverAnswers: WebReply = () => undefined;

/** A redirect to `location`. */
export const redirectTo =
  (location: string): WebReply =>
  (_request, response) => {
    response.writeHead(302, { location }).end();
  };

/**
 * A body of `totalBytes` streamed in 16 KB chunks with no Content-Length, as a hostile server would
 * send it; `sent()` says how much went out before the client hung up.
 */
export function streamedBody(
  prefix: string,
  totalBytes: number,
): { reply: WebReply; sent: () => number; done: Promise<void> } {
  let sent = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const chunk = Buffer.alloc(16 * 1024, ' ');
  const reply: WebReply = (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.on('close', finish);
    const pump = () => {
      while (sent < totalBytes && !response.destroyed) {
        const data = sent === 0 ? Buffer.from(prefix) : chunk;
        sent += data.length;
        if (!response.write(data)) {
          response.once('drain', pump);
          return;
        }
      }
      if (!response.destroyed) response.end();
    };
    pump();
  };
  return { reply, sent: () => sent, done };
}

/** A port on 127.0.0.1 that nothing listens on: where a test routes every name it does not serve. */
export async function closedPort(): Promise<number> {
  const listener = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise((resolve) => listener.close(resolve));
  return port;
}
