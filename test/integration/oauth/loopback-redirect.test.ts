import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { LoopbackRedirect } from '../../../main/oauth/loopback-redirect.ts';
import { expectOAuthError } from '../../support/oauth-fixtures.ts';

async function status(url: string): Promise<number | 'refused'> {
  try {
    return (await fetch(url)).status;
  } catch {
    return 'refused';
  }
}

describe('the loopback redirect listener (RFC 8252 §7.3)', () => {
  it('listens on 127.0.0.1 with an OS-assigned port', async () => {
    const listener = await LoopbackRedirect.open();
    try {
      expect(listener.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    } finally {
      await listener.close();
    }
  });

  it('answers other paths 404, takes one redirect with a strict page that echoes nothing, then closes', async () => {
    const listener = await LoopbackRedirect.open();
    const waiting = listener.wait({ timeoutMs: 60_000 });
    const base = new URL(listener.redirectUri);

    expect(await status(new URL('/favicon.ico', base).href)).toBe(404);
    const redirect = `${listener.redirectUri}?code=c0de-${'x'.repeat(8)}&state=%3Cscript%3Ealert(1)%3C%2Fscript%3E`;
    const response = await fetch(redirect);
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'");
    expect(page).toContain('You can close this tab and return to Outbox');
    expect(page).not.toContain('c0de-');
    expect(page).not.toMatch(/<script|alert/);
    expect((await waiting).searchParams.get('code')).toBe(`c0de-${'x'.repeat(8)}`);
    expect(await status(redirect)).toBe('refused');
  });

  it('answers a request line that is no URL with 404 and goes on waiting for the redirect', async () => {
    const listener = await LoopbackRedirect.open();
    const waiting = listener.wait({ timeoutMs: 60_000 });
    const base = new URL(listener.redirectUri);
    // What a local process can send; a browser cannot. It used to throw in the request handler.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(base.port), base.hostname, () => {
        socket.end('GET http://[/callback HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('end', () => {
        resolve(text);
      });
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 404/);
    expect(await status(`${listener.redirectUri}?code=abc&state=s`)).toBe(200);
    expect((await waiting).searchParams.get('code')).toBe('abc');
  });

  it('ends a wait when closed under it, rather than at its time-out', async () => {
    const listener = await LoopbackRedirect.open();
    const waiting = listener.wait({ timeoutMs: 10 * 60_000 });
    await listener.close();
    await expectOAuthError(waiting, 'oauth_cancelled');
  });

  it('gives up after its time-out, and on the abort signal', async () => {
    const slow = await LoopbackRedirect.open();
    await expectOAuthError(slow.wait({ timeoutMs: 200 }), 'oauth_timeout');
    expect(await status(slow.redirectUri)).toBe('refused');

    const controller = new AbortController();
    const aborted = await LoopbackRedirect.open();
    const waiting = aborted.wait({ timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expectOAuthError(waiting, 'oauth_cancelled');
    expect(await status(aborted.redirectUri)).toBe('refused');
  });
});
