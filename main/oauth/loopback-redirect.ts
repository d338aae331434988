import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppError } from '../errors/app-error.ts';
import { signInCancelled } from './oauth-errors.ts';

const DONE_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Outbox</title></head>' +
  '<body><p>Outbox has the answer. You can close this tab and return to Outbox.</p></body></html>';

const STRICT_HEADERS = {
  'Content-Security-Policy': "default-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  Connection: 'close',
} as const;

export interface RedirectWait {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/**
 * The redirect listener of RFC 8252 §7.3: `http://127.0.0.1:<OS-assigned port>/callback`. It takes
 * exactly one request on that path, answers it with a fixed page (no scripts, nothing of the query
 * echoed), and closes, so a second redirect finds nobody listening.
 */
export class LoopbackRedirect {
  private answer: { resolve: (url: URL) => void; reject: (error: AppError) => void } | undefined;
  private taken: URL | undefined;
  private closed = false;

  private readonly server: Server;
  readonly redirectUri: string;

  private constructor(server: Server, redirectUri: string) {
    this.server = server;
    this.redirectUri = redirectUri;
  }

  static async open(path = '/callback'): Promise<LoopbackRedirect> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const listener = new LoopbackRedirect(server, `http://127.0.0.1:${port}${path}`);
    server.on('request', (request, response) => {
      listener.onRequest(request, response, path);
    });
    return listener;
  }

  /** The redirect's URL (its query holds the authorization response), once it arrives. */
  wait({ timeoutMs, signal }: RedirectWait): Promise<URL> {
    if (this.taken !== undefined) return Promise.resolve(this.taken);
    return new Promise<URL>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        reject(
          new AppError(
            'oauth_timeout',
            'Sign-in timed out: the browser did not come back to Outbox in time.',
          ),
        );
      }, timeoutMs);
      const onAbort = () => {
        finish();
        reject(signInCancelled());
      };
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.answer = undefined;
        void this.close();
      };
      this.answer = {
        resolve: (url) => {
          finish();
          resolve(url);
        },
        reject: (error) => {
          finish();
          reject(error);
        },
      };
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Closed while waited for (the browser could not be opened): the wait ends now, not at its
    // time-out, so no timer keeps a finished sign-in's process alive.
    this.answer?.reject(signInCancelled());
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private onRequest(request: IncomingMessage, response: ServerResponse, path: string): void {
    // A request line that is no URL at all (`GET http://[/ …`) from a local process: not ours.
    const url = URL.parse(request.url ?? '/', this.redirectUri);
    if (url === null || this.taken !== undefined || request.method !== 'GET' || url.pathname !== path) {
      response.writeHead(404, { ...STRICT_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
      response.end('Not found');
      return;
    }
    this.taken = url;
    response.writeHead(200, { ...STRICT_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
    response.end(DONE_PAGE, () => {
      if (this.answer !== undefined) this.answer.resolve(url);
      else void this.close();
    });
  }
}
