import type { ContentExtensions } from '../../smtp/capabilities.ts';
import type { SmtpFailure } from '../../smtp/smtp-failure.ts';
import { NON_ASCII } from '../message/compose-message.ts';
import type { Downgrade } from '../message/transfer-encoding.ts';
import type { QueueRecord } from '../store/queue-record.ts';

/** How a message goes out on a session, given what the server said it takes. */
export type ContentPlan =
  | { readonly kind: 'refuse'; readonly failure: SmtpFailure }
  | {
      readonly kind: 'send';
      /** Declare BODY=8BITMIME (RFC 6152); nodemailer does so only where the server offers it. */
      readonly use8BitMime: boolean;
      /** Rework the bytes first, or send them as stored. */
      readonly downgrade: Downgrade | undefined;
    };

/**
 * What a message needs (read at enqueue; for older records, unknown, so the bytes are looked at)
 * against what the session offers. An address outside ASCII has no other form: without SMTPUTF8
 * it fails at once (RFC 6531 §3.2). 8-bit bodies and UTF-8 headers can be written in ASCII
 * without loss, so they are, where the server cannot take them.
 */
export function planContent(record: QueueRecord, server: ContentExtensions): ContentPlan {
  if (record.needsSmtpUtf8 && !server.smtpUtf8) {
    const addresses = [record.envelopeFrom, ...record.recipients.map((r) => r.address)];
    const address = addresses.find((a) => NON_ASCII.test(a)) ?? '';
    return {
      kind: 'refuse',
      failure: {
        class: 'permanent',
        code: 'smtputf8_unsupported',
        message: `The server does not accept international addresses (SMTPUTF8), so it cannot take mail for ${address}.`,
      },
    };
  }
  const eightBitBody = record.eightBitBody ?? true;
  const utf8Header = (record.utf8Header ?? true) || NON_ASCII.test(record.fromField ?? '');
  // nodemailer says SMTPUTF8 only when an envelope address needs it: otherwise the header goes in ASCII.
  const declaresUtf8 = record.needsSmtpUtf8 && server.smtpUtf8;
  const sevenBitBody = eightBitBody && !server.eightBitMime;
  const asciiHeader = utf8Header && !declaresUtf8;
  return {
    kind: 'send',
    use8BitMime: eightBitBody,
    downgrade: sevenBitBody || asciiHeader ? { sevenBitBody, asciiHeader } : undefined,
  };
}
