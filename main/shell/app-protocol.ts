import { protocol, type Session } from 'electron';
import { APP_ORIGIN } from '../security/origin.ts';
import { rendererResponse } from '../security/renderer-files.ts';

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
    const file = await rendererResponse(rendererRoot, request.url, APP_ORIGIN);
    return new Response(new Uint8Array(Buffer.from(file.body)), {
      status: file.status,
      headers: file.headers,
    });
  });
}
