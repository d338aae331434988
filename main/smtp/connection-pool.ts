import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SmtpEndpoint } from './smtp-endpoint.ts';
import {
  connectionOptions,
  connectWithNoDelay,
  DEFAULT_TIMEOUTS,
  type Timeouts,
} from './transport-options.ts';

/** Servers drop idle sessions after a minute or so; close ours first rather than find a dead one. */
const IDLE_MS = 30_000;
/** Like nodemailer's pool: a fresh session now and then, so a server's per-session limits never bite. */
const MESSAGES_PER_CONNECTION = 100;

export interface ConnectionPool {
  /**
   * Runs `use` on a connected, signed-in session and puts the session back for reuse when `use`
   * succeeds. When a reused session turns out dead and `retryStale(error)` says nothing reached the
   * server, `use` runs once more on a fresh session.
   */
  withConnection<T>(
    use: (connection: SMTPConnection) => Promise<T>,
    retryStale: (error: unknown) => boolean,
  ): Promise<T>;
  /** Closes idle sessions now and busy ones when they finish. */
  close(): void;
}

interface Idle {
  readonly connection: SMTPConnection;
  readonly messages: number;
  readonly timer: NodeJS.Timeout;
}

function open(endpoint: SmtpEndpoint, timeouts: Timeouts): Promise<SMTPConnection> {
  const options = connectionOptions(endpoint, timeouts);
  return new Promise((resolve, reject) => {
    connectWithNoDelay(
      { host: endpoint.host, port: endpoint.port, connectionTimeout: timeouts.connectionMs },
      (error, socket) => {
        if (error || !socket) {
          reject(error ?? new Error('no socket'));
          return;
        }
        // nodemailer does TLS (implicit or STARTTLS) on top of the socket we connected with TCP_NODELAY.
        const connection = new SMTPConnection({ ...options, connection: socket.connection });
        let settled = false;
        const fail = (failure: unknown) => {
          if (settled) return;
          settled = true;
          connection.close();
          reject(failure instanceof Error ? failure : new Error(String(failure)));
        };
        const ready = () => {
          settled = true;
          resolve(connection);
        };
        // Stays attached: once connected, errors reach the send callback, and an unhandled one would crash.
        connection.on('error', fail);
        connection.connect((connectError) => {
          if (connectError) {
            fail(connectError);
            return;
          }
          if (!endpoint.auth) {
            ready();
            return;
          }
          connection.login({ user: endpoint.auth.user, pass: endpoint.auth.pass }, (loginError) => {
            if (loginError) fail(loginError);
            else ready();
          });
        });
      },
    );
  });
}

/** Authenticated SMTP sessions to one endpoint, reused across messages. */
export function createConnectionPool(
  endpoint: SmtpEndpoint,
  timeouts: Timeouts = DEFAULT_TIMEOUTS,
): ConnectionPool {
  const idle: Idle[] = [];
  let closed = false;

  function release(connection: SMTPConnection, messages: number): void {
    if (closed || messages >= MESSAGES_PER_CONNECTION) {
      connection.quit();
      return;
    }
    const entry: Idle = {
      connection,
      messages,
      timer: setTimeout(() => {
        take(entry);
        connection.quit();
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

  async function run<T>(use: (connection: SMTPConnection) => Promise<T>, reuse: boolean): Promise<T> {
    const reused = reuse ? idle.at(-1) : undefined;
    if (reused) take(reused);
    const connection = reused?.connection ?? (await open(endpoint, timeouts));
    if (!reused) {
      // A session the server closes while idle leaves the pool at once.
      connection.once('end', () => {
        const entry = idle.find((e) => e.connection === connection);
        if (entry) take(entry);
      });
    }
    try {
      const result = await use(connection);
      release(connection, (reused?.messages ?? 0) + 1);
      return result;
    } catch (error) {
      connection.close();
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
        entry.connection.quit();
      }
    },
  };
}
