import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import type { EventSink } from '../../main/core/ports.ts';
import { silentLogger } from '../../main/errors/logger.ts';
import { createIpcRouter, type CallHandlers } from '../../main/ipc/ipc-router.ts';
import { readRendererFile } from '../../main/security/renderer-files.ts';
import { CHROMIUM_ARGS } from './chromium-args.ts';

export { CHROMIUM_ARGS };

const ROOT = path.resolve(import.meta.dirname, '../..');
const RENDERER_DIR = path.join(ROOT, 'out/renderer');

let pageBridgeScript: Promise<string> | undefined;

/** The real preload bridge factory, bundled for the page. */
function bundlePageBridge(): Promise<string> {
  pageBridgeScript ??= build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      minify: false,
      lib: {
        entry: path.join(import.meta.dirname, 'page-bridge.ts'),
        formats: ['iife'],
        name: 'OutboxPageBridge',
      },
    },
  }).then((output) => {
    const results = Array.isArray(output) ? output : [output];
    for (const result of results) {
      if ('output' in result) {
        const chunk = result.output.find((item) => item.type === 'chunk');
        if (chunk && 'code' in chunk) return chunk.code;
      }
    }
    throw new Error('Bundling the page bridge produced no code');
  });
  return pageBridgeScript;
}

/** Serves the built renderer with the production headers (CSP included), as the app:// protocol does. */
async function serveRenderer(): Promise<{ origin: string; close(): Promise<void>; requests: string[] }> {
  if (!existsSync(path.join(RENDERER_DIR, 'index.html'))) {
    throw new Error('out/renderer is missing: run `npm run build` first');
  }
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? '');
    const url = new URL(request.url ?? '/', 'http://localhost');
    void readRendererFile(RENDERER_DIR, url.pathname).then((file) => {
      response.writeHead(file.status, file.headers).end(file.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

export interface RendererHarness {
  readonly page: Page;
  readonly origin: string;
  /** Waits until every event main emitted so far has reached the page. */
  flushEvents(): Promise<void>;
  close(): Promise<void>;
}

/** The part of main's core the page talks to: its call handlers, and where it sends events. */
export interface HarnessCore {
  readonly handlers: CallHandlers;
  setEventSink(sink: EventSink): void;
}

export interface HarnessOptions {
  readonly core: HarnessCore;
  /** Where files "dropped" onto the window live. */
  readonly dropDir?: string;
  readonly colorScheme?: 'light' | 'dark';
  readonly viewport?: { width: number; height: number };
  /** Runs in the page before its own scripts, after the bridge (a benchmark's observers). */
  readonly initScript?: string;
}

let browser: Promise<Browser> | undefined;

function launch(): Promise<Browser> {
  browser ??= chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  const running = browser;
  browser = undefined;
  if (running) await (await running).close();
}

/**
 * Opens the built renderer in real Chromium with `window.outbox` wired to main's real IPC router.
 * Calls go page → binding → router.dispatch (sender check, schema validation, handler); the core's
 * events go back to the page in order.
 */
export async function openRenderer(options: HarnessOptions): Promise<RendererHarness> {
  const [script, server, chromiumBrowser] = await Promise.all([
    bundlePageBridge(),
    serveRenderer(),
    launch(),
  ]);
  const context: BrowserContext = await chromiumBrowser.newContext({
    colorScheme: options.colorScheme ?? 'light',
    viewport: options.viewport ?? { width: 1200, height: 800 },
  });
  const router = createIpcRouter(options.core.handlers, { trustedOrigin: server.origin, log: silentLogger });
  // The answer crosses as JSON text, one string as Electron's IPC sends one structured clone:
  // Playwright's own value serialisation takes minutes for a 100,000-message list.
  await context.exposeBinding('__outboxInvoke', async (source, channel: string, input: unknown) =>
    JSON.stringify(
      await router.dispatch(channel, input, {
        url: source.frame.url(),
        isMainFrame: source.frame === source.page.mainFrame(),
        isOurWindow: true,
      }),
    ),
  );
  if (options.dropDir)
    await context.addInitScript(`window.__outboxDropDir = ${JSON.stringify(options.dropDir)};`);
  await context.addInitScript(script);
  if (options.initScript) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  let delivered: Promise<unknown> = Promise.resolve();
  // Before the page loads: what it asks for as it starts (app:ready) may send events at once.
  options.core.setEventSink((event, payload) => {
    delivered = delivered.then(() =>
      page
        .evaluate(
          ([name, body]) => {
            (globalThis as unknown as { __outboxDeliver(e: string, p: unknown): void }).__outboxDeliver(
              name,
              body,
            );
          },
          [event, payload] as const,
        )
        .catch(() => undefined),
    );
  });
  await page.goto(`${server.origin}/index.html`);
  return {
    page,
    origin: server.origin,
    flushEvents: () => delivered.then(() => undefined),
    async close() {
      await context.close();
      await server.close();
    },
  };
}
