import { Transform, type TransformCallback } from 'node:stream';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { RecipientStatus } from '../../preload/contract/outbox.ts';
import type { AccountsPort } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import { classifySmtpError, type SmtpErrorLike, type SmtpFailure } from '../smtp/smtp-failure.ts';
import { smtpOptions, type Timeouts } from '../smtp/transport-options.ts';
import type { QueueRecord } from './queue-record.ts';
import type { QueueStore } from './queue-store.ts';

/** Connections per account's pool; the service feeds at most this many messages at once. */
export const CONNECTIONS_PER_ACCOUNT = 5;

export type AttemptResult =
  /** The server answered the message: each recipient tried is accepted, rejected or deferred. */
  | { readonly kind: 'answered'; readonly recipients: readonly RecipientStatus[]; readonly reply: string }
  /** The message as a whole did not go through; `handedOver` says whether the server had the body. */
  | { readonly kind: 'failed'; readonly failure: SmtpFailure; readonly handedOver: boolean };

export interface DeliveryAgent {
  /** Sends the stored bytes to the recipients still pending. Never throws. */
  attempt(
    record: QueueRecord,
    options: { attempt: number; onProgress: (bytes: number) => void },
  ): Promise<AttemptResult>;
  /** Drops pooled connections (after sleep, a network change or an account edit): they may be half-open. */
  reset(accountId?: string): void;
  close(): void;
}

/**
 * Counts bytes on their way to nodemailer and holds back the end of the stream until `beforeEnd`
 * resolves. nodemailer writes the final "." only after this stream ends, so whatever `beforeEnd`
 * records durably is on disk before the server can possibly have accepted the message.
 */
class HandoverStream extends Transform {
  private sent = 0;
  private readonly onProgress: (bytes: number) => void;
  private readonly beforeEnd: () => Promise<void>;
  constructor(onProgress: (bytes: number) => void, beforeEnd: () => Promise<void>) {
    super();
    this.onProgress = onProgress;
    this.beforeEnd = beforeEnd;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sent += chunk.length;
    this.onProgress(this.sent);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    this.beforeEnd().then(
      () => {
        callback();
      },
      (error: unknown) => {
        callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  }
}

const pendingStates = new Set<RecipientStatus['state']>(['pending', 'deferred']);

function recipientResults(
  tried: readonly RecipientStatus[],
  accepted: readonly unknown[],
  rejected: readonly SmtpErrorLike[],
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
    return acceptedSet.has(r.address.toLowerCase()) ? { ...r, state: 'accepted' } : r;
  });
}

const SIZE_LIMIT = /larger than allowed (\d+)/;

export function createDeliveryAgent(options: {
  accounts: AccountsPort;
  store: QueueStore;
  timeouts?: Timeouts;
}): DeliveryAgent {
  const { accounts, store } = options;
  const pools = new Map<string, Promise<Transporter<SMTPPool.SentMessageInfo>>>();

  function pool(accountId: string): Promise<Transporter<SMTPPool.SentMessageInfo>> {
    let transporter = pools.get(accountId);
    if (!transporter) {
      transporter = accounts.endpoint(accountId).then((endpoint) =>
        nodemailer.createTransport(
          smtpOptions(endpoint, {
            maxConnections: CONNECTIONS_PER_ACCOUNT,
            ...(options.timeouts ? { timeouts: options.timeouts } : {}),
          }),
        ),
      );
      // A failed lookup (keychain locked) must not stick: the next attempt asks again.
      transporter.catch(() => pools.delete(accountId));
      pools.set(accountId, transporter);
    }
    return transporter;
  }

  function reset(accountId?: string): void {
    for (const [id, transporter] of pools) {
      if (accountId !== undefined && id !== accountId) continue;
      pools.delete(id);
      // close() lets a message in flight finish on its connection first.
      transporter.then(
        (t) => {
          t.close();
        },
        () => undefined,
      );
    }
  }

  return {
    async attempt(record, { attempt, onProgress }) {
      const tried = record.recipients.filter((r) => pendingStates.has(r.state));
      let handedOver = false;
      try {
        const transporter = await pool(record.accountId);
        const body = store.openBytes(record.id);
        const handover = new HandoverStream(onProgress, async () => {
          await store.markHandedOver(record.id, attempt);
          handedOver = true;
        });
        body.on('error', (error) => {
          handover.destroy(error);
        });
        body.pipe(handover);
        const info = await transporter.sendMail({
          raw: handover,
          // SIZE= in MAIL FROM lets the server refuse an oversized message before the upload.
          envelope: {
            from: record.envelopeFrom,
            to: tried.map((r) => r.address),
            size: record.sizeBytes,
          },
        });
        const rejected = (info as { rejectedErrors?: SmtpErrorLike[] }).rejectedErrors ?? [];
        return {
          kind: 'answered',
          recipients: recipientResults(tried, info.accepted, rejected),
          reply: info.response,
        };
      } catch (error) {
        if (error instanceof AppError) {
          return {
            kind: 'failed',
            handedOver,
            failure: { class: 'attention', code: error.code, message: error.message },
          };
        }
        const smtpError = error as SmtpErrorLike & { rejectedErrors?: SmtpErrorLike[] };
        // Every recipient refused in RCPT TO: an answer per recipient, not a failure of the message.
        if (smtpError.code === 'EENVELOPE' && smtpError.rejectedErrors?.length) {
          const reply = typeof smtpError.response === 'string' ? smtpError.response : '';
          return {
            kind: 'answered',
            recipients: recipientResults(tried, [], smtpError.rejectedErrors),
            reply,
          };
        }
        const failure = classifySmtpError(smtpError);
        const limit = typeof smtpError.message === 'string' ? SIZE_LIMIT.exec(smtpError.message) : null;
        if (failure.code === 'message_too_large' && limit?.[1]) {
          accounts.rememberServerSizeLimit(record.accountId, Number(limit[1]));
        }
        return { kind: 'failed', handedOver, failure };
      }
    },
    reset,
    close() {
      reset();
    },
  };
}
