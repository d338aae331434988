import { describe, expect, it } from 'vitest';
import { queueListJson } from '../../../main/cli/json-output.ts';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { createQueueStore } from '../../../main/outbox/store/queue-store.ts';
import { homeWithIdleAccount, runCli } from './run-cli.ts';

const HOUR = 3_600_000;
const home = homeWithIdleAccount();

const sendAt = (at: string) =>
  runCli(home(), ['send', '--to', 'ann@example.net', '--subject', at, '--text', 't', '--at', at]);

describe('send --at a time from now, which a script or the README can give without going stale', () => {
  it.each([
    ['+30m', HOUR / 2],
    ['+1d', 24 * HOUR],
  ])(
    '%s schedules the message that far from now',
    async (at, ms) => {
      const before = Date.now();
      const sent = await sendAt(at);
      const after = Date.now();
      expect(sent.stderr).toBe('');
      expect(sent.code).toBe(0);
      const listed = queueListJson.parse(
        JSON.parse((await runCli(home(), ['queue', 'list', '--json'])).stdout),
      );
      const item = listed.messages.find((m) => m.subject === at);
      expect(item?.state).toBe('scheduled');
      const scheduled = Date.parse(item?.sendAt ?? '');
      expect(scheduled).toBeGreaterThanOrEqual(before + ms);
      expect(scheduled).toBeLessThanOrEqual(after + ms);
    },
    60_000,
  );

  it.each([
    ['+0m', /--at: "\+0m" is in the past/],
    ['+2', /--at: "\+2" is not .* nor a time from now like \+2h/],
    ['+2 h', /--at: "\+2 h" is not /],
  ])(
    'refuses %s (64), queueing nothing',
    async (at, message) => {
      const sent = await sendAt(at);
      expect(sent.code).toBe(64);
      expect(sent.stderr).toMatch(message);
      const listed = queueListJson.parse(
        JSON.parse((await runCli(home(), ['queue', 'list', '--json'])).stdout),
      );
      expect(listed.messages.some((m) => m.subject === at)).toBe(false);
    },
    60_000,
  );
});

describe('send --at with --late-limit: "don\'t send if more than this late"', () => {
  it('stores the limit in minutes on the scheduled message', async () => {
    const sent = await runCli(home(), [
      'send',
      '--to',
      'ann@example.net',
      '--subject',
      'limited',
      '--text',
      't',
      '--at',
      '+1d',
      '--late-limit',
      '2h',
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const store = createQueueStore(queuePaths(home()), { fs: nodeFileSystem, onQuarantine: () => undefined });
    await store.init();
    try {
      const record = store.get(sent.stdout.trim());
      expect(record?.state).toBe('scheduled');
      expect(record?.lateLimitMinutes).toBe(120);
    } finally {
      await store.close();
    }
    // As `queue list --json` and `queue show --json` report it; a message without one, null.
    const id = sent.stdout.trim();
    const listed = JSON.parse((await runCli(home(), ['queue', 'list', '--json'])).stdout) as {
      messages: { id: string; lateLimitMinutes: number | null }[];
    };
    expect(listed.messages.find((m) => m.id === id)?.lateLimitMinutes).toBe(120);
    expect(listed.messages.filter((m) => m.id !== id).every((m) => m.lateLimitMinutes === null)).toBe(true);
    const shown = JSON.parse((await runCli(home(), ['queue', 'show', id, '--json'])).stdout) as {
      message: { lateLimitMinutes: number | null };
    };
    expect(shown.message.lateLimitMinutes).toBe(120);
  }, 60_000);

  it.each([
    [['--late-limit', '30m'], /--late-limit needs --at/],
    [['--at', '+1d', '--late-limit', '0m'], /--late-limit: "0m" is not a time like 30m/],
    [['--at', '+1d', '--late-limit', '30'], /--late-limit: "30" is not a time like 30m/],
    [['--at', '+1d', '--late-limit', '400d'], /between a minute and a year/],
  ])(
    'refuses %j (64)',
    async (args, message) => {
      const sent = await runCli(home(), [
        'send',
        '--to',
        'ann@example.net',
        '--subject',
        'x',
        '--text',
        't',
        ...args,
      ]);
      expect(sent.code).toBe(64);
      expect(sent.stderr).toMatch(message);
    },
    60_000,
  );
});
