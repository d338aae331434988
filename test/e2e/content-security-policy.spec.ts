import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../main/security/content-security-policy.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';

interface Probe {
  __violations: string[];
  __inlineRan?: boolean;
}

describe('the renderer under the production Content-Security-Policy', () => {
  let core: TestCore;
  let harness: RendererHarness;
  let remote: http.Server;
  let remoteRequests: string[];
  let remoteOrigin = '';

  beforeAll(async () => {
    core = await startTestCore();
    harness = await openRenderer({ core });
    // Another origin on this machine, standing in for any remote server.
    remoteRequests = [];
    remote = http.createServer((request, response) => {
      remoteRequests.push(request.url ?? '');
      response.writeHead(200, { 'Content-Type': 'text/javascript' }).end('globalThis.__remoteRan = true;');
    });
    await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
    remoteOrigin = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
    await harness.page.evaluate(() => {
      const probe = globalThis as unknown as Probe;
      probe.__violations = [];
      document.addEventListener('securitypolicyviolation', (event) => {
        probe.__violations.push(`${event.effectiveDirective} ${event.blockedURI}`);
      });
    });
  });

  afterAll(async () => {
    await harness.close();
    await closeBrowser();
    await core.close();
    await new Promise((resolve) => remote.close(resolve));
  });

  const violations = () => harness.page.evaluate(() => (globalThis as unknown as Probe).__violations);

  test('the page is served with the policy', async () => {
    const response = await harness.page.request.get(`${harness.origin}/index.html`);
    expect(response.headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  test('an inline script does not run', async () => {
    await harness.page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'globalThis.__inlineRan = true;';
      document.body.append(script);
    });
    await expect.poll(violations).toContainEqual(expect.stringMatching(/^script-src-elem inline/));
    expect(await harness.page.evaluate(() => (globalThis as unknown as Probe).__inlineRan)).toBeUndefined();
  });

  test('an inline event handler does not run', async () => {
    await harness.page.evaluate(() => {
      const image = document.createElement('img');
      image.setAttribute('onerror', 'globalThis.__inlineRan = true;');
      image.src = 'data:image/png;base64,AA==';
      document.body.append(image);
    });
    await expect.poll(violations).toContainEqual(expect.stringMatching(/^script-src-attr inline/));
    expect(await harness.page.evaluate(() => (globalThis as unknown as Probe).__inlineRan)).toBeUndefined();
  });

  test('a remote script and a remote image are never even requested', async () => {
    await harness.page.evaluate((origin) => {
      const script = document.createElement('script');
      script.src = `${origin}/remote.js`;
      const image = document.createElement('img');
      image.src = `${origin}/pixel.png`;
      document.body.append(script, image);
    }, remoteOrigin);
    await expect
      .poll(violations)
      .toEqual(
        expect.arrayContaining([
          `script-src-elem ${remoteOrigin}/remote.js`,
          `img-src ${remoteOrigin}/pixel.png`,
        ]),
      );
    expect(remoteRequests).toEqual([]);
  });

  test('a fetch to any server is refused', async () => {
    const outcome = await harness.page.evaluate(async (origin) => {
      try {
        await fetch(`${origin}/data`);
        return 'fetched';
      } catch (error) {
        return (error as Error).name;
      }
    }, remoteOrigin);
    expect(outcome).toBe('TypeError');
    expect(remoteRequests).toEqual([]);
  });
});
