import { Readable } from 'node:stream';
import DKIM from 'nodemailer/lib/dkim';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { RecipientStatus } from '../../../preload/contract/outbox.ts';
import type { AccountsPort } from '../../core/ports.ts';
import { AppError } from '../../errors/app-error.ts';
import { createConnectionPool, type ConnectionPool } from '../../smtp/connection-pool.ts';
import type { SmtpEndpoint } from '../../smtp/smtp-endpoint.ts';
import {
  classifySignInError,
  classifySmtpError,
  type SmtpErrorLike,
  type SmtpFailure,
} from '../../smtp/smtp-failure.ts';
import type { Timeouts } from '../../smtp/transport-options.ts';
import { errno, storageError } from '../../files/atomic-file.ts';
import { rewriteFrom } from '../message/from-rewrite.ts';
import { fitForTransport, type Downgrade } from '../message/transfer-encoding.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import type { QueueStore } from '../store/queue-store.ts';
import { MessageDamagedError, type StoredBody } from '../store/stored-body.ts';
import { planContent } from './content-plan.ts';

/** Sessions per account; the service feeds at most this many messages to an account at once. */
export const CONNECTIONS_PER_ACCOUNT = 5;

export type AttemptResult =
  /** The server answered the message: each recipient tried is accepted, rejected or deferred. */
  | { readonly kind: 'answered'; readonly recipients: readonly RecipientStatus[]; readonly reply: string }
  /** The message as a whole did not go through; `handedOver` says whether the server had the body. */
  | { readonly kind: 'failed'; readonly failure: SmtpFailure; readonly handedOver: boolean }
  /** The stored bytes no longer match what was queued: nothing was sent, no server was asked. */
  | { readonly kind: 'damaged'; readonly reason: string };

export interface DeliveryAgent {
  /** Sends the stored bytes to the recipients still pending. Never throws. */
  attempt(
    record: QueueRecord,
    options: { attempt: number; onProgress: (bytes: number) => void },
  ): Promise<AttemptResult>;
  /** Drops pooled sessions (after sleep, a network change or an account edit): they may be half-open. */
  reset(accountId?: string): void;
  close(): void;
}

/**
 * The message body on its way to nodemailer. With a high-water mark of 0 it reads a chunk only when
 * the previous one was taken, so reaching the end means the whole body left our hands; only then,
 * and only after `beforeEnd` has recorded that durably, does the stream end. nodemailer writes the
 * final "." after the end, so the server cannot accept a message whose hand-over is not on disk.
 * nodemailer pipes this stream only once the server has answered DATA with 354.
 */
class HandoverGate extends Readable {
  started = false;
  /** This side failed: the stored bytes could not be read, or the hand-over not recorded. */
  localFailure: SmtpFailure | undefined;
  private sent = 0;
  private readonly source: AsyncIterator<Buffer>;
  private readonly onProgress: (bytes: number) => void;
  private readonly beforeEnd: () => Promise<void>;

  constructor(
    source: AsyncIterable<Buffer>,
    onProgress: (bytes: number) => void,
    beforeEnd: () => Promise<void>,
  ) {
    super({ highWaterMark: 0 });
    this.source = source[Symbol.asyncIterator]();
    this.onProgress = onProgress;
    this.beforeEnd = beforeEnd;
  }

  override _read(): void {
    this.started = true;
    void this.step();
  }

  private async step(): Promise<void> {
    let next: IteratorResult<Buffer>;
    try {
      next = await this.source.next();
    } catch (error) {
      // The stored bytes could not be read: this side's failure. Anything else (a DKIM key that
      // does not sign, say) takes the usual way, through nodemailer's error.
      if (error instanceof StoredBytesError) this.fail(readFailure(error.cause), error);
      else this.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    // nodemailer gave up on the body meanwhile: no mark for an attempt that sends no dot.
    if (this.destroyed) return;
    if (!next.done) {
      this.sent += next.value.length;
      this.onProgress(this.sent);
      this.push(next.value);
      return;
    }
    try {
      await this.beforeEnd();
    } catch (error) {
      this.fail(recordFailure(error), error);
      return;
    }
    this.push(null);
  }

  /** Destroying the body makes nodemailer drop the session before the final dot. */
  private fail(failure: SmtpFailure, error: unknown): void {
    this.localFailure = failure;
    this.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    void this.source.return?.();
    callback(error);
  }
}

/** Reading the stored message failed (as opposed to a stream that reworks it on the way). */
class StoredBytesError extends Error {}

async function* fromStore(bytes: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* bytes;
  } catch (error) {
    throw new StoredBytesError('the stored message could not be read', { cause: error });
  }
}

/** Node's own code for a file error, under the AppError the queue wraps it in. */
function fileErrorCode(error: unknown): string {
  const cause = error instanceof AppError ? error.cause : error;
  return errno(cause) ?? (cause instanceof Error ? cause.message : String(cause));
}

function readFailure(error: unknown): SmtpFailure {
  const detail = fileErrorCode(error);
  return {
    class: 'local',
    code: 'storage_failed',
    message: `The stored message could not be read (${detail}), so it was not sent.`,
  };
}

function recordFailure(error: unknown): SmtpFailure {
  const { code } = storageError(error);
  const detail = code === 'disk_full' ? 'the disk is full' : fileErrorCode(error);
  return {
    class: 'local',
    code,
    message: `Its hand-over to the server could not be recorded (${detail}), so it was not sent.`,
  };
}

const pendingStates = new Set<RecipientStatus['state']>(['pending', 'deferred']);

/**
 * Each tried recipient as the server answered it: a refusal's reply from RCPT TO, and for an
 * accepted one the reply that took the message (RFC 5321 §4.1.1.4: "250 2.0.0 Ok: queued as …"),
 * what the user quotes to trace it with their provider.
 */
function recipientResults(
  tried: readonly RecipientStatus[],
  accepted: readonly unknown[],
  rejected: readonly SmtpErrorLike[],
  finalReply: string,
): RecipientStatus[] {
  const acceptedSet = new Set(accepted.map((a) => String(a).toLowerCase()));
  return tried.map((r) => {
    const refusal = rejected.find((e) => {
      const recipient = (e as { recipient?: unknown }).recipient;
      return typeof recipient === 'string' && recipient.toLowerCase() === r.address.toLowerCase();
    });
    if (refusal) {
      const code = typeof refusal.responseCode === 'number' ? refusal.responseCode : 0;
      const reply = typeof refusal.response === 'string' ? refusal.response : '';
      return { ...r, state: code >= 500 ? 'rejected' : 'deferred', reply };
    }
    if (!acceptedSet.has(r.address.toLowerCase())) return r;
    // An earlier attempt's deferral no longer applies.
    const { reply: _earlier, ...rest } = r;
    return { ...rest, state: 'accepted', ...(finalReply ? { reply: finalReply } : {}) };
  });
}

function sendOn(
  connection: SMTPConnection,
  envelope: SMTPConnection.Envelope,
  body: Readable,
): Promise<SMTPConnection.SentMessageInfo> {
  return new Promise((resolve, reject) => {
    connection.send(envelope, body, (error, info) => {
      if (error) reject(error);
      else resolve(info);
    });
  });
}

const SIZE_LIMIT = /larger than allowed (\d+)/;

/** The message cannot go out on this session as it is, and nothing of it was sent. */
interface Refused {
  readonly refused: SmtpFailure;
}

export interface DeliveryAgentDeps {
  readonly accounts: AccountsPort;
  readonly store: QueueStore;
  /** SMTP timeouts; tests shorten them. */
  readonly timeouts?: Timeouts;
}

interface AccountPool {
  readonly pool: ConnectionPool;
  readonly endpoint: SmtpEndpoint;
}

/** Delivers over a pool of SMTP sessions per account. */
class SmtpDeliveryAgent implements DeliveryAgent {
  private readonly pools = new Map<string, Promise<AccountPool>>();
  private readonly deps: DeliveryAgentDeps;

  constructor(deps: DeliveryAgentDeps) {
    this.deps = deps;
  }

  async attempt(
    record: QueueRecord,
    options: { attempt: number; onProgress: (bytes: number) => void },
  ): Promise<AttemptResult> {
    // Checked before connecting: damaged bytes must not cost a session, let alone reach a server.
    let body: StoredBody;
    try {
      body = await this.deps.store.openBody(record.id);
    } catch (error) {
      if (error instanceof MessageDamagedError) return { kind: 'damaged', reason: error.reason };
      return { kind: 'failed', handedOver: false, failure: readFailure(error) };
    }
    try {
      return await this.send(record, body, options);
    } finally {
      await body.close();
    }
  }

  private async send(
    record: QueueRecord,
    stored: StoredBody,
    { attempt, onProgress }: { attempt: number; onProgress: (bytes: number) => void },
  ): Promise<AttemptResult> {
    const tried = record.recipients.filter((r) => pendingStates.has(r.state));
    let handedOver = false;
    let gate: HandoverGate | undefined;
    try {
      const { pool, endpoint } = await this.poolFor(record.accountId);
      const outcome = await pool.withConnection(
        async ({ connection, extensions }): Promise<Refused | SMTPConnection.SentMessageInfo> => {
          const plan = planContent(record, extensions);
          if (plan.kind === 'refuse') return { refused: plan.failure };
          const body = await this.bodyOf(record, stored, endpoint, plan.downgrade);
          if ('refused' in body) return body;
          gate = new HandoverGate(body.bytes, onProgress, async () => {
            await this.deps.store.markHandedOver(record.id, attempt);
            handedOver = true;
          });
          const envelope = {
            from: record.envelopeFrom,
            to: tried.map((r) => r.address),
            // SIZE= in MAIL FROM lets the server refuse an oversized message before the upload.
            size: body.size ?? record.sizeBytes,
            use8BitMime: plan.use8BitMime,
          };
          return sendOn(connection, envelope, gate);
        },
        // A session the server closed while idle: nothing of this message reached it.
        (error) =>
          gate?.started !== true && classifySmtpError(error as SmtpErrorLike).responseCode === undefined,
      );
      if ('refused' in outcome) return { kind: 'failed', handedOver: false, failure: outcome.refused };
      const rejected = outcome.rejectedErrors ?? [];
      return {
        kind: 'answered',
        recipients: recipientResults(tried, outcome.accepted, rejected, outcome.response),
        reply: outcome.response,
      };
    } catch (error) {
      if (gate?.localFailure) return { kind: 'failed', handedOver, failure: gate.localFailure };
      return this.failedAttempt(record, tried, error, handedOver);
    }
  }

  /** Drops pooled sessions (all, or one account's). */
  reset(accountId?: string): void {
    for (const [id, entry] of this.pools) {
      if (accountId !== undefined && id !== accountId) continue;
      this.pools.delete(id);
      entry.then(
        ({ pool }) => {
          pool.close();
        },
        () => undefined,
      );
    }
  }

  close(): void {
    this.reset();
  }

  private failedAttempt(
    record: QueueRecord,
    tried: readonly RecipientStatus[],
    error: unknown,
    handedOver: boolean,
  ): AttemptResult {
    if (error instanceof AppError) {
      return { kind: 'failed', handedOver, failure: classifySignInError(error.toErrorInfo()) };
    }
    const smtpError = error as SmtpErrorLike & { rejectedErrors?: SmtpErrorLike[] };
    // Every recipient refused in RCPT TO: an answer per recipient, not a failure of the message.
    if (smtpError.code === 'EENVELOPE' && smtpError.rejectedErrors?.length) {
      const reply = typeof smtpError.response === 'string' ? smtpError.response : '';
      return {
        kind: 'answered',
        recipients: recipientResults(tried, [], smtpError.rejectedErrors, reply),
        reply,
      };
    }
    const failure = classifySmtpError(smtpError);
    const limit = typeof smtpError.message === 'string' ? SIZE_LIMIT.exec(smtpError.message) : null;
    if (failure.code === 'message_too_large' && limit?.[1]) {
      this.deps.accounts.rememberServerSizeLimit(record.accountId, Number(limit[1]));
    }
    return { kind: 'failed', handedOver, failure };
  }

  private poolFor(accountId: string): Promise<AccountPool> {
    let entry = this.pools.get(accountId);
    if (!entry) {
      entry = this.deps.accounts
        .endpoint(accountId)
        .then((endpoint) => ({ endpoint, pool: createConnectionPool(endpoint, this.deps.timeouts) }));
      // A failed lookup (keychain locked) must not stick: the next attempt asks again.
      entry.catch(() => this.pools.delete(accountId));
      this.pools.set(accountId, entry);
    }
    return entry;
  }

  /**
   * The bytes to send: the stored ones, with the From field of a moved message, reworked for what
   * the server cannot take (as a whole, so read first) and a DKIM signature over what goes out.
   */
  private async bodyOf(
    record: QueueRecord,
    body: StoredBody,
    endpoint: SmtpEndpoint,
    downgrade: Downgrade | undefined,
  ): Promise<{ bytes: AsyncIterable<Buffer>; size?: number } | Refused> {
    // As stored, they need no stream around them: the gate reads them itself.
    const stored = fromStore(body);
    if (!record.fromField && !endpoint.dkim && !downgrade) return { bytes: stored };
    const readable = Readable.from(stored, { objectMode: false });
    let bytes = record.fromField ? rewriteFrom(readable, record.fromField) : readable;
    let size: number | undefined;
    if (downgrade) {
      try {
        const fitted = fitForTransport(Buffer.concat(await bytes.toArray()), downgrade);
        size = fitted.length;
        bytes = Readable.from([fitted]);
      } catch (error) {
        if (error instanceof AppError)
          return { refused: { class: 'permanent', code: error.code, message: error.message } };
        if (error instanceof StoredBytesError) return { refused: readFailure(error.cause) };
        throw error;
      }
    }
    return {
      bytes: endpoint.dkim ? new DKIM({ ...endpoint.dkim }).sign(bytes) : bytes,
      ...(size === undefined ? {} : { size }),
    };
  }
}

export function createDeliveryAgent(deps: DeliveryAgentDeps): DeliveryAgent {
  return new SmtpDeliveryAgent(deps);
}
