import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../main/security/content-security-policy.ts';
import { readRendererFile, rendererResponse } from '../../../main/security/renderer-files.ts';
import { APP_ORIGIN } from '../../../main/security/origin.ts';

describe('serving the renderer', () => {
  let root = '';
  beforeAll(async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'outbox-renderer-'));
    root = path.join(parent, 'renderer');
    await mkdir(path.join(root, 'assets'), { recursive: true });
    await writeFile(path.join(root, 'index.html'), '<!doctype html>');
    await writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(parent, 'secret.txt'), 'outside');
  });

  test('serves files under the root with the CSP and their type', async () => {
    const file = await readRendererFile(root, '/assets/app.js');
    expect(file.status).toBe(200);
    expect(String(file.body)).toBe('console.log(1)');
    expect(file.headers['Content-Type']).toMatch(/^text\/javascript/);
    expect(file.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  test('serves index.html for the root path', async () => {
    expect(String((await readRendererFile(root, '/')).body)).toBe('<!doctype html>');
  });

  test.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/../../secret.txt', '/..%2fsecret.txt'])(
    'refuses a path outside the root (%s)',
    async (urlPath) => {
      const file = await readRendererFile(root, urlPath);
      expect(file.status).toBe(403);
      expect(String(file.body)).not.toContain('outside');
    },
  );

  test('answers 404 for a missing file, still with the CSP', async () => {
    const file = await readRendererFile(root, '/nope.js');
    expect(file.status).toBe(404);
    expect(file.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  test('answers a request for the app origin, the way the app:// protocol handler asks', async () => {
    const file = await rendererResponse(root, `${APP_ORIGIN}/index.html`, APP_ORIGIN);
    expect({ status: file.status, body: String(file.body) }).toEqual({
      status: 200,
      body: '<!doctype html>',
    });
    expect((await rendererResponse(root, `${APP_ORIGIN}/`, APP_ORIGIN)).status).toBe(200);
  });

  test.each(['app://outbox.evil/index.html', 'app://other/index.html', 'file:///index.html'])(
    'refuses a request for another origin (%s)',
    async (url) => {
      expect((await rendererResponse(root, url, APP_ORIGIN)).status).toBe(403);
    },
  );

  test('answers 400 to a malformed escape instead of failing the request', async () => {
    expect((await rendererResponse(root, `${APP_ORIGIN}/%E0%A4%A`, APP_ORIGIN)).status).toBe(400);
  });

  test('the policy forbids inline script, eval and every remote origin', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});
