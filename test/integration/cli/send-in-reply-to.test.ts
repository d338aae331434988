import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { deliverOne, refusal, useCliHomes } from './cli-homes.ts';
import { runCli } from './run-cli.ts';

/** `outbox send --in-reply-to`: a reply from a script threads as one from the window does. */
const homes = useCliHomes();
const PARENT = '<3469A91.D10AF4C@example.com>';
const reply = ['send', '--to', 'list@example.org', '--subject', 'Re: Plans', '--text', 'Agreed.'];

describe('send --in-reply-to', () => {
  it('sends In-Reply-To and References naming the message', async () => {
    const message = await deliverOne(homes, [...reply, '--in-reply-to', PARENT]);
    const parsed = await simpleParser(message.raw);
    expect(parsed.inReplyTo).toBe(PARENT);
    expect(parsed.references).toBe(PARENT);
  }, 60_000);

  it('refuses a line break in it as header_injection (65), queueing nothing', async () => {
    const result = await runCli(homes.refusing, [
      ...reply,
      '--in-reply-to',
      `${PARENT}\r\nBcc: all@example.org`,
    ]);
    expect(result.code).toBe(65);
    expect(await refusal(homes, result)).toMatch(/^outbox: inReplyTo: .*line breaks/);
  }, 60_000);
});
