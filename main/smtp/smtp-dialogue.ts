import type { Socket } from 'node:net';
import type { SaslChannel } from './sign-in.ts';

export interface SmtpReply {
  readonly code: number;
  /** Every line's text without the code, joined with spaces. */
  readonly text: string;
  readonly lines: readonly string[];
}

/** A read that got no complete reply in time; the step decides what that means. */
export class ReplyTimeout extends Error {
  override readonly name = 'ReplyTimeout';
  readonly code = 'ETIMEDOUT';
}

/**
 * Just enough of an SMTP client to take a session apart step by step, which nodemailer's
 * SMTPConnection (greeting, EHLO, STARTTLS and EHLO again in one `connect()`) cannot report.
 * Used only by the connection test; mail is sent by nodemailer.
 */
export class SmtpDialogue implements SaslChannel {
  #socket: Socket;
  #buffer = '';
  #lines: string[] = [];
  #waiter: ((error?: Error) => void) | undefined;
  #failure: Error | undefined;
  readonly #timeoutMs: number;

  constructor(socket: Socket, timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#socket = socket;
    this.#attach(socket);
  }

  #onData = (chunk: Buffer): void => {
    this.#buffer += chunk.toString('utf8');
    const parts = this.#buffer.split('\r\n');
    this.#buffer = parts.pop() ?? '';
    this.#lines.push(...parts);
    this.#wake();
  };

  #onError = (error: Error): void => {
    this.#failure = error;
    this.#wake();
  };

  #onClose = (): void => {
    this.#failure ??= Object.assign(new Error('The server closed the connection.'), { code: 'ECONNRESET' });
    this.#wake();
  };

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  #attach(socket: Socket): void {
    socket.on('data', this.#onData);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
  }

  #detach(): void {
    this.#socket.off('data', this.#onData);
    this.#socket.off('error', this.#onError);
    this.#socket.off('close', this.#onClose);
  }

  /** A complete reply if the buffered lines hold one (RFC 5321 §4.2.1: the last line has a space after the code). */
  #takeReply(): SmtpReply | undefined {
    const end = this.#lines.findIndex((line) => /^\d{3}(?: |$)/.test(line));
    if (end === -1) return undefined;
    const lines = this.#lines.splice(0, end + 1);
    const texts = lines.map((line) => line.slice(4));
    return { code: Number(lines[end]?.slice(0, 3)), text: texts.join(' ').trim(), lines: texts };
  }

  async read(timeoutMs = this.#timeoutMs): Promise<SmtpReply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const reply = this.#takeReply();
      if (reply) return reply;
      if (this.#failure) throw this.#failure;
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new ReplyTimeout(`No answer from the server within ${Math.round(timeoutMs / 1000)} s.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.#waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async command(line: string, timeoutMs = this.#timeoutMs): Promise<SmtpReply> {
    if (this.#failure) throw this.#failure;
    this.#socket.write(`${line}\r\n`);
    return this.read(timeoutMs);
  }

  /** Whether the server sent anything not yet read: after STARTTLS's 220, nothing may follow in plaintext. */
  hasUnread(): boolean {
    return this.#lines.length > 0 || this.#buffer.length > 0;
  }

  /** Hands the socket over (for STARTTLS) and continues on the one `wrap` returns. */
  async upgrade<T extends Socket>(wrap: (plain: Socket) => Promise<T>): Promise<T> {
    this.#detach();
    let secure: T;
    try {
      secure = await wrap(this.#socket);
    } catch (error) {
      this.#failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
    this.#socket = secure;
    this.#attach(secure);
    return secure;
  }

  /** Says goodbye politely when the session is still healthy, then closes. */
  async close(): Promise<void> {
    if (!this.#failure && !this.#socket.destroyed) {
      await this.command('QUIT', 2_000).catch(() => undefined);
    }
    this.#detach();
    this.#socket.destroy();
  }
}
