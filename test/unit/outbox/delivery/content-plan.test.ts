import { describe, expect, it } from 'vitest';
import { planContent, type ContentPlan } from '../../../../main/outbox/delivery/content-plan.ts';
import type { ContentExtensions } from '../../../../main/smtp/capabilities.ts';
import type { QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const BOTH: ContentExtensions = { eightBitMime: true, smtpUtf8: true };
const NEITHER: ContentExtensions = { eightBitMime: false, smtpUtf8: false };
const ONLY_8BIT: ContentExtensions = { eightBitMime: true, smtpUtf8: false };

interface Row {
  readonly name: string;
  readonly record: Partial<QueueRecord>;
  readonly server: ContentExtensions;
  readonly plan: ContentPlan | 'refuse';
}

const ascii = { eightBitBody: false, utf8Header: false };
const send = (use8BitMime: boolean, sevenBitBody?: boolean, asciiHeader?: boolean): ContentPlan => ({
  kind: 'send',
  use8BitMime,
  downgrade: sevenBitBody === undefined ? undefined : { sevenBitBody, asciiHeader: asciiHeader ?? false },
});

const rows: Row[] = [
  { name: '7-bit ASCII goes as stored', record: ascii, server: NEITHER, plan: send(false) },
  {
    name: '8-bit body, 8BITMIME offered: declared',
    record: { ...ascii, eightBitBody: true },
    server: ONLY_8BIT,
    plan: send(true),
  },
  {
    name: '8-bit body, no 8BITMIME: re-encoded',
    record: { ...ascii, eightBitBody: true },
    server: NEITHER,
    plan: send(true, true, false),
  },
  {
    name: 'UTF-8 header, ASCII envelope: encoded words even where SMTPUTF8 is offered',
    record: { ...ascii, utf8Header: true },
    server: BOTH,
    plan: send(false, false, true),
  },
  {
    name: 'international address, SMTPUTF8 offered: header kept',
    record: { eightBitBody: false, utf8Header: true, needsSmtpUtf8: true },
    server: BOTH,
    plan: send(false),
  },
  {
    name: 'international address, no SMTPUTF8: refused',
    record: { eightBitBody: false, utf8Header: true, needsSmtpUtf8: true },
    server: ONLY_8BIT,
    plan: 'refuse',
  },
  {
    name: 'a record from before the fields: the bytes are looked at',
    record: {},
    server: NEITHER,
    plan: send(true, true, true),
  },
  {
    name: 'a moved message whose new From holds UTF-8',
    record: { ...ascii, fromField: 'From: me@example.org (Zoë)' },
    server: BOTH,
    plan: send(false, false, true),
  },
];

describe('planContent', () => {
  it.each(rows)('$name', ({ record, server, plan }) => {
    const result = planContent(sampleRecord('m1', record), server);
    if (plan === 'refuse') {
      expect(result).toMatchObject({
        kind: 'refuse',
        failure: { class: 'permanent', code: 'smtputf8_unsupported' },
      });
    } else {
      expect(result).toEqual(plan);
    }
  });
});
