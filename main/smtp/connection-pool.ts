import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { contentExtensions, type ContentExtensions } from './capabilities.ts';
import type { SmtpEndpoint } from './smtp-endpoint.ts';
import { logIn } from './sign-in.ts';
import { connectionOptions, connectSocket, DEFAULT_TIMEOUTS, type Timeouts } from './transport-options.ts';

/** Servers drop idle sessions after a minute or so; close ours first rather than find a dead one. */
const IDLE_MS = 30_000;
/** Like nodemailer's pool: a fresh session now and then, so a server's per-session limits never bite. */
const MESSAGES_PER_CONNECTION = 100;

/** A connected, signed-in session and what its server said it takes. */
export interface Session {
  readonly connection: SMTPConnection;
  readonly extensions: ContentExtensions;
}

export interface ConnectionPool {
  /**
   * Runs `use` on a connected, signed-in session and puts the session back for reuse when `use`
   * succeeds. When a reused session turns out dead and `retryStale(error)` says nothing reached the
   * server, `use` runs once more on a fresh session.
   */
  withConnection<T>(
    use: (session: Session) => Promise<T>,
    retryStale: (error: unknown) => boolean,
  ): Promise<T>;
  /** Closes idle sessions now and busy ones when they finish. */
  close(): void;
}

interface Idle {
  readonly session: Session;
  readonly messages: number;
  readonly timer: NodeJS.Timeout;
}

async function open(endpoint: SmtpEndpoint, timeouts: Timeouts): Promise<Session> {
  const socket = await connectSocket(endpoint.host, endpoint.port, timeouts.connectionMs);
  // nodemailer does TLS (implicit or STARTTLS) on top of the socket we connected with TCP_NODELAY.
  const connection = new SMTPConnection({ ...connectionOptions(endpoint, timeouts), connection: socket });
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (failure: unknown) => {
      if (settled) return;
      settled = true;
      connection.close();
      reject(failure instanceof Error ? failure : new Error(String(failure)));
    };
    // Stays attached: once connected, errors reach the send callback, and an unhandled one would crash.
    connection.on('error', fail);
    connection.connect((connectError) => {
      if (connectError) {
        fail(connectError);
        return;
      }
      // Connected means the last reply was EHLO's (after STARTTLS, the second one).
      const extensions = contentExtensions(connection.lastServerResponse || '');
      logIn(connection, endpoint.auth).then(() => {
        settled = true;
        resolve({ connection, extensions });
      }, fail);
    });
  });
}

/** Authenticated SMTP sessions to one endpoint, reused across messages. */
export function createConnectionPool(
  endpoint: SmtpEndpoint,
  timeouts: Timeouts = DEFAULT_TIMEOUTS,
): ConnectionPool {
  const idle: Idle[] = [];
  let closed = false;

  function release(session: Session, messages: number): void {
    if (closed || messages >= MESSAGES_PER_CONNECTION) {
      session.connection.quit();
      return;
    }
    const entry: Idle = {
      session,
      messages,
      timer: setTimeout(() => {
        take(entry);
        session.connection.quit();
      }, IDLE_MS),
    };
    entry.timer.unref();
    idle.push(entry);
  }

  function take(entry: Idle): boolean {
    const index = idle.indexOf(entry);
    if (index < 0) return false;
    idle.splice(index, 1);
    clearTimeout(entry.timer);
    return true;
  }

  async function run<T>(use: (session: Session) => Promise<T>, reuse: boolean): Promise<T> {
    const reused = reuse ? idle.at(-1) : undefined;
    if (reused) take(reused);
    const session = reused?.session ?? (await open(endpoint, timeouts));
    if (!reused) {
      // A session the server closes while idle leaves the pool at once.
      session.connection.once('end', () => {
        const entry = idle.find((e) => e.session === session);
        if (entry) take(entry);
      });
    }
    try {
      const result = await use(session);
      release(session, (reused?.messages ?? 0) + 1);
      return result;
    } catch (error) {
      session.connection.close();
      throw Object.assign(error instanceof Error ? error : new Error(String(error)), {
        reusedSession: !!reused,
      });
    }
  }

  return {
    async withConnection(use, retryStale) {
      try {
        return await run(use, true);
      } catch (error) {
        if ((error as { reusedSession?: boolean }).reusedSession && retryStale(error)) return run(use, false);
        throw error;
      }
    },
    close() {
      closed = true;
      for (const entry of idle.splice(0)) {
        clearTimeout(entry.timer);
        entry.session.connection.quit();
      }
    },
  };
}
