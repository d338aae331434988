import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { channelNames, channels } from '../../../preload/contract/channels.ts';
import { errorCodes } from '../../../preload/contract/errors.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createIpcRouter, type IpcRouter } from '../../../main/ipc/ipc-router.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';

const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };

/** Anything a compromised renderer could send: any JSON-ish value, or an object that looks almost right. */
const payload = fc.oneof(
  fc.anything({
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withTypedArray: true,
    withMap: true,
  }),
  fc.dictionary(
    fc.constantFrom(
      'id',
      'accountId',
      'to',
      'subject',
      'paths',
      'patch',
      'secret',
      'fingerprint',
      'queued',
      'address',
      'online',
      'prefix',
      'key',
    ),
    fc.oneof(fc.string(), fc.array(fc.string()), fc.integer(), fc.boolean(), fc.constant(null), fc.object()),
  ),
);

describe('every channel, under arbitrary payloads', () => {
  let core: TestCore;
  let router: IpcRouter;

  beforeAll(async () => {
    core = await startTestCore();
    router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  });
  afterAll(() => core.close());

  test.each(channelNames)(
    '%s answers a value of its contract type or a typed error, never a throw',
    async (channel) => {
      await fc.assert(
        fc.asyncProperty(payload, async (input) => {
          const result = await router.dispatch(channel, input, sender);
          if (result.ok) {
            expect(channels[channel].output.safeParse(result.value).success).toBe(true);
          } else {
            expect(errorCodes).toContain(result.error.code);
            expect(typeof result.error.message).toBe('string');
            expect(result.error.code).not.toBe('internal');
            expect(JSON.stringify(result.error)).not.toMatch(/\n\s+at /);
          }
        }),
        { numRuns: 60 },
      );
    },
  );
});
