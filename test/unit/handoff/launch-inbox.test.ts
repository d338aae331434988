import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../main/errors/logger.ts';
import { LaunchInbox, type Launch } from '../../../main/handoff/launch-inbox.ts';

const launch = (subject: string): Launch => ({
  request: { to: [], cc: [], bcc: [], subject, attachments: [] },
  source: 'link',
});

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: () => undefined,
    warn: (message) => lines.push(`warn: ${message}`),
    error: (message) => lines.push(`error: ${message}`),
  };
}

describe('the launch inbox', () => {
  it('keeps what comes before the core is ready and hands it on in order, then the rest as it comes', async () => {
    const inbox = new LaunchInbox(recordingLog());
    const taken: string[] = [];
    inbox.offer(() => launch('first, from argv'));
    inbox.offer(() => launch('second, from open-url'));
    inbox.offer(() => undefined);
    expect(taken).toEqual([]);
    inbox.deliverTo(async ({ request }) => {
      // A slow first one does not let the second overtake it.
      await new Promise((resolve) => setImmediate(resolve));
      taken.push(request.subject ?? '');
    });
    inbox.offer(() => launch('third, a second instance'));
    await inbox.settled();
    expect(taken).toEqual(['first, from argv', 'second, from open-url', 'third, a second instance']);
  });

  it('refuses input its parser throws on, and one failed launch stops none after it', async () => {
    const log = recordingLog();
    const inbox = new LaunchInbox(log);
    const taken: string[] = [];
    inbox.deliverTo(({ request }) => {
      if (request.subject === 'fails') return Promise.reject(new Error('disk full'));
      taken.push(request.subject ?? '');
      return Promise.resolve();
    });
    inbox.offer(() => {
      throw new Error('CRLF in subject');
    });
    inbox.offer(() => launch('fails'));
    inbox.offer(() => launch('fine'));
    await inbox.settled();
    expect(taken).toEqual(['fine']);
    expect(log.lines).toEqual([
      'warn: Ignoring a message handed to Outbox at launch',
      'error: Opening a message handed to Outbox failed',
    ]);
  });
});
