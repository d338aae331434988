import { protocol, type Session } from 'electron';
import { readRendererFile } from '../security/renderer-files.ts';

/** The renderer's own origin. A custom scheme gives it a stable origin that IPC senders are checked against. */
export const APP_ORIGIN = 'app://outbox';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: 'app',
      privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false },
    },
  ]);
}

export function serveRenderer(session: Session, rendererRoot: string): void {
  session.protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    if (url.origin !== APP_ORIGIN) return new Response('Forbidden', { status: 403 });
    const file = await readRendererFile(rendererRoot, url.pathname);
    return new Response(new Uint8Array(Buffer.from(file.body)), {
      status: file.status,
      headers: file.headers,
    });
  });
}
