import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { RENDERER_HEADERS } from './content-security-policy.ts';
import { originOf } from './origin.ts';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface RendererFile {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer | string;
}

/**
 * Serves the built renderer from `root` for a URL path, refusing anything outside it. Used by the
 * app's `app://` protocol and by the test harness, so both send the same files and headers.
 */
export async function readRendererFile(root: string, urlPath: string): Promise<RendererFile> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { status: 400, headers: { ...RENDERER_HEADERS }, body: 'Bad request' };
  }
  const relative = decoded.replace(/^\/+/, '') || 'index.html';
  const absolute = path.resolve(root, relative);
  if (!absolute.startsWith(path.resolve(root) + path.sep)) {
    return { status: 403, headers: { ...RENDERER_HEADERS }, body: 'Forbidden' };
  }
  try {
    const body = await readFile(absolute);
    const type = MIME[path.extname(absolute)] ?? 'application/octet-stream';
    return { status: 200, headers: { ...RENDERER_HEADERS, 'Content-Type': type }, body };
  } catch {
    return { status: 404, headers: { ...RENDERER_HEADERS }, body: 'Not found' };
  }
}

/** The answer to a request for `requestUrl`: a renderer file when it is for `origin`, else 403. */
export async function rendererResponse(
  root: string,
  requestUrl: string,
  origin: string,
): Promise<RendererFile> {
  if (originOf(requestUrl) !== origin) {
    return { status: 403, headers: { ...RENDERER_HEADERS }, body: 'Forbidden' };
  }
  return readRendererFile(root, new URL(requestUrl).pathname);
}
