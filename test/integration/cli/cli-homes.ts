import fsp from 'node:fs/promises';
import { afterAll, beforeAll, expect } from 'vitest';
import { loggedEntries } from '../../support/queue-on-disk.ts';
import { startTestServer, type ReceivedMessage, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, makeHome, runCli, type CliResult } from './run-cli.ts';

/** A data folder whose mail a real smtp-server receives, and one where every case must be refused. */
export interface CliHomes {
  readonly server: TestServer;
  readonly home: string;
  readonly refusing: string;
}

/** Sets up (before all tests of the file) and removes (after them) the two data folders of `CliHomes`. */
export function useCliHomes(): CliHomes {
  const homes = {} as { server: TestServer; home: string; refusing: string };
  beforeAll(async () => {
    homes.server = await startTestServer();
    [homes.home, homes.refusing] = await Promise.all([makeHome(), makeHome()]);
    await addLocalAccount(homes.home, 'Personal', 'me@example.org', homes.server.port);
    // Never contacted: nothing may be queued there.
    await addLocalAccount(homes.refusing, 'Main', 'me@example.org', 9);
  });
  afterAll(async () => {
    await homes.server.close();
    await Promise.all(
      [homes.home, homes.refusing].map((dir) => fsp.rm(dir, { recursive: true, force: true })),
    );
  });
  return homes;
}

/** Runs `outbox args` on the delivering folder, flushes the queue and returns the one message received. */
export async function deliverOne(
  homes: CliHomes,
  args: readonly string[],
  input: string | Buffer = '',
): Promise<ReceivedMessage> {
  const before = homes.server.messages.length;
  const queued = await runCli(homes.home, args, input);
  expect(queued.stderr).toBe('');
  expect(queued.code).toBe(0);
  expect((await runCli(homes.home, ['queue', 'flush', '--wait'])).code).toBe(0);
  const received = homes.server.messages.slice(before);
  expect(received).toHaveLength(1);
  const [message] = received;
  if (!message) throw new Error('nothing was received');
  return message;
}

/** The one line on stderr of a refusal in the refusing folder, after checking nothing was queued. */
export async function refusal(homes: CliHomes, result: CliResult): Promise<string> {
  expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(result.stdout).toBe('');
  expect(await loggedEntries(homes.refusing)).toEqual([]);
  return result.stderr.trim();
}
