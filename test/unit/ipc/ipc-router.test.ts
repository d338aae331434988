import { describe, expect, test } from 'vitest';
import { AppError, toErrorInfo } from '../../../main/errors/app-error.ts';
import type { Logger } from '../../../main/errors/logger.ts';
import { createIpcRouter, type CallHandlers } from '../../../main/ipc/ipc-router.ts';
import type { SenderInfo } from '../../../main/ipc/trusted-sender.ts';
import { parseComposeRequest } from '../../../main/outbox/message/compose-message.ts';
import { tooManyRecipients } from '../../../preload/contract/compose.ts';

const ORIGIN = 'app://outbox';
const ours: SenderInfo = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };

function recordingLogger() {
  const entries: { level: string; message: string; details?: Record<string, unknown> }[] = [];
  const log: Logger = {
    info: (message, details) => entries.push({ level: 'info', message, ...(details ? { details } : {}) }),
    warn: (message, details) => entries.push({ level: 'warn', message, ...(details ? { details } : {}) }),
    error: (message, details) => entries.push({ level: 'error', message, ...(details ? { details } : {}) }),
  };
  return { log, entries };
}

function routerWith(handlers: Partial<CallHandlers>) {
  const { log, entries } = recordingLogger();
  // Only the handlers a test names exist; the router looks up nothing else.
  return { router: createIpcRouter(handlers as CallHandlers, { trustedOrigin: ORIGIN, log }), entries };
}

describe('the IPC router', () => {
  test('runs the handler with the parsed input and wraps its value', async () => {
    const { router } = routerWith({ 'settings:update': (patch) => ({ ...defaults, ...patch }) });
    const defaults = {
      undoSeconds: 10,
      retryLifetimeHours: 120,
      sentRetentionDays: 90,
      notifications: true,
      autoResendUnconfirmed: false,
      localMailAddress: '',
      liveIspdbLookup: false,
      keepRunningInBackground: true,
      startAtLogin: false,
      deliverWhileClosed: false,
    };
    await expect(router.dispatch('settings:update', { undoSeconds: 3 }, ours)).resolves.toEqual({
      ok: true,
      value: { ...defaults, undoSeconds: 3 },
    });
  });

  test.each([
    ['wrong type', { undoSeconds: 'three' }, 'undoSeconds'],
    ['out of range', { undoSeconds: 1000 }, 'undoSeconds'],
    ['unknown key', { undoSeconds: 3, extra: true }, undefined],
    ['not an object', 'undo', undefined],
  ])('rejects a malformed payload (%s) before the handler runs', async (_name, payload, field) => {
    let ran = false;
    const { router } = routerWith({ 'settings:update': () => ((ran = true), {} as never) });
    const result = await router.dispatch('settings:update', payload, ours);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    if (!result.ok && field) expect(result.error.field).toBe(field);
    expect(ran).toBe(false);
  });

  test('refuses a header injection in a compose request', async () => {
    const { router } = routerWith({});
    const result = await router.dispatch(
      'outbox:enqueue',
      { accountId: 'a1', to: ['x@example.org'], subject: 'Hi\r\nBcc: victim@example.org' },
      ours,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'header_injection', field: 'subject' } });
  });

  test.each([
    ['CRLF in the subject', { subject: 'Hi\r\nBcc: victim@example.org' }, 'subject'],
    ['LF in a recipient', { to: ['x@example.org\nBcc: victim@example.org'] }, 'to.0'],
    ['NUL in the reply-to', { replyTo: 'x@example.org\0' }, 'replyTo'],
    // The attack is named before a mere mistake elsewhere in the same request.
    ['CR in the subject, and no account', { accountId: 7, subject: 'Hi\rBcc: v@example.org' }, 'subject'],
  ])('%s is header_injection from the bridge and from the CLI alike', async (_name, extra, field) => {
    const input = { accountId: 'a1', to: ['x@example.org'], ...extra };
    const { router } = routerWith({});
    const bridge = await router.dispatch('outbox:enqueue', input, ours);
    expect(bridge).toMatchObject({ ok: false, error: { code: 'header_injection', field } });
    // The CLI and every other headless caller enqueue through parseComposeRequest.
    let thrown: unknown;
    try {
      parseComposeRequest(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect(toErrorInfo(thrown)).toEqual(bridge.ok ? undefined : bridge.error);
  });

  test('refuses more than MAX_RECIPIENTS recipients before the handler runs, with the sentence sendmail gives', async () => {
    let ran = false;
    const { router } = routerWith({ 'outbox:enqueue': () => ((ran = true), {} as never) });
    const to = Array.from({ length: 10_000 }, (_, i) => `r${i}@example.org`);
    const result = await router.dispatch('outbox:enqueue', { accountId: 'a1', to }, ours);
    expect(result).toEqual({
      ok: false,
      error: { code: 'too_many_recipients', message: tooManyRecipients(10_000) },
    });
    expect(ran).toBe(false);
  });

  test.each<[string, SenderInfo]>([
    ['another origin', { url: 'https://evil.example/index.html', isMainFrame: true, isOurWindow: true }],
    ['a look-alike origin', { url: 'app://outbox.evil/index.html', isMainFrame: true, isOurWindow: true }],
    ['a subframe', { url: `${ORIGIN}/index.html`, isMainFrame: false, isOurWindow: true }],
    ['another window', { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: false }],
    ['an unparsable URL', { url: 'not a url', isMainFrame: true, isOurWindow: true }],
  ])('refuses a call from %s', async (_name, sender) => {
    let ran = false;
    const { router, entries } = routerWith({
      'app:getStatus': () => ((ran = true), { online: true, version: '1' }),
    });
    await expect(router.dispatch('app:getStatus', undefined, sender)).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden_sender' },
    });
    expect(ran).toBe(false);
    expect(entries.some((e) => e.level === 'warn')).toBe(true);
  });

  test('routes the preload-only drop channel through the same sender check and schema', async () => {
    const ran: unknown[] = [];
    const { router } = routerWith({ 'files:dropped': (input) => (ran.push(input), []) });
    const elsewhere = { ...ours, url: 'https://evil.example/index.html' };
    await expect(router.dispatch('files:dropped', { paths: ['/a'] }, elsewhere)).resolves.toMatchObject({
      ok: false,
      error: { code: 'forbidden_sender' },
    });
    await expect(router.dispatch('files:dropped', { paths: ['a\0b'] }, ours)).resolves.toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'paths.0' },
    });
    await expect(router.dispatch('files:dropped', { paths: ['/a'] }, ours)).resolves.toEqual({
      ok: true,
      value: [],
    });
    expect(ran).toEqual([{ paths: ['/a'] }]);
  });

  test('answers an unknown channel with a typed error, including inherited property names', async () => {
    const { router } = routerWith({});
    for (const channel of ['outbox:nope', 'constructor', '__proto__', 'toString']) {
      await expect(router.dispatch(channel, {}, ours)).resolves.toMatchObject({
        ok: false,
        error: { code: 'invalid_input' },
      });
    }
  });

  test('passes an expected error through as its code and sentence', async () => {
    const { router } = routerWith({
      'outbox:get': () => {
        throw new AppError('not_found', 'That message is no longer in the outbox.');
      },
    });
    await expect(router.dispatch('outbox:get', { id: 'm1' }, ours)).resolves.toEqual({
      ok: false,
      error: { code: 'not_found', message: 'That message is no longer in the outbox.' },
    });
  });

  test('turns an unexpected exception into `internal`, logs it in main and sends no stack', async () => {
    const { router, entries } = routerWith({
      'outbox:get': () => {
        throw new TypeError('secret internals at /home/user/.config/Outbox');
      },
    });
    const result = await router.dispatch('outbox:get', { id: 'm1' }, ours);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toMatch(/secret internals|TypeError|\.config|at /);
    expect(entries.find((e) => e.level === 'error')?.message).toContain('outbox:get');
  });
});
