import { afterAll, describe, expect, test } from 'vitest';
import { callNames } from '../../../preload/contract/channels.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createIpcRouter, type CallHandlers } from '../../../main/ipc/ipc-router.ts';
import type { SenderInfo } from '../../../main/ipc/trusted-sender.ts';
import { accountDraft, accountsHarness, removeTempSettings } from '../../support/accounts-fixtures.ts';

afterAll(removeTempSettings);

const ORIGIN = 'app://outbox';
const ours: SenderInfo = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };

function router() {
  const { handlers } = accountsHarness();
  // Only the accounts handlers exist; the router looks up nothing else for these calls.
  return createIpcRouter(handlers as CallHandlers, { trustedOrigin: ORIGIN, log: silentLogger });
}

describe('accounts handlers behind the IPC router', () => {
  test('one handler for every accounts:* call in the contract', () => {
    const { handlers } = accountsHarness();
    expect(Object.keys(handlers).sort()).toEqual(
      callNames.filter((name) => name.startsWith('accounts:')).sort(),
    );
  });

  test('a refused change crosses the bridge as its code, sentence and field', async () => {
    const ipc = router();
    await expect(ipc.dispatch('accounts:create', accountDraft(), ours)).resolves.toMatchObject({ ok: true });
    await expect(ipc.dispatch('accounts:create', accountDraft({ label: 'work' }), ours)).resolves.toEqual({
      ok: false,
      error: {
        code: 'duplicate_label',
        message: 'Another account is already called "work".',
        field: 'label',
      },
    });
    await expect(
      ipc.dispatch('accounts:create', accountDraft({ label: 'Home', port: 0 }), ours),
    ).resolves.toEqual({
      ok: false,
      error: {
        code: 'invalid_port',
        message: 'The port must be a whole number from 1 to 65535, not 0.',
        field: 'port',
      },
    });
  });

  test('a header-breaking label never reaches the store', async () => {
    const ipc = router();
    const result = await ipc.dispatch(
      'accounts:create',
      accountDraft({ label: 'Work\r\nBcc: x@evil.example' }),
      ours,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'header_injection', field: 'label' } });
    await expect(ipc.dispatch('accounts:list', undefined, ours)).resolves.toEqual({ ok: true, value: [] });
  });

  test.each([
    ['a line break', 'smtp.example.com\r\nx'],
    ['a line break after an IP address', '127.0.0.1\r\nx'],
    ['a tab', 'smtp.\texample.com'],
    ['a space', 'smtp.example.com '],
    ['a zero-width space', 'smtp.exa\u200bmple.com'],
    ['a soft hyphen', 'smtp.exa\u00admple.com'],
    ['a NUL', 'smtp.example.com\0'],
    ['a space inside', 'smtp example.com'],
    ['a port in it', 'smtp.example.com:587'],
    ['a URL', 'smtps://smtp.example.com'],
    ['an impossible IPv4 address', '300.1.1.1'],
  ])('a host with %s is refused as invalid_host on create and update', async (_name, host) => {
    const ipc = router();
    const created = await ipc.dispatch('accounts:create', accountDraft({ host }), ours);
    expect(created).toMatchObject({ ok: false, error: { code: 'invalid_host', field: 'host' } });
    const saved = await ipc.dispatch('accounts:create', accountDraft(), ours);
    const id = saved.ok ? (saved.value as { id: string }).id : '';
    const updated = await ipc.dispatch('accounts:update', { id, patch: { host } }, ours);
    expect(updated).toMatchObject({ ok: false, error: { code: 'invalid_host', field: 'patch.host' } });
    await expect(ipc.dispatch('accounts:list', undefined, ours)).resolves.toMatchObject({
      ok: true,
      value: [{ id, host: accountDraft().host }],
    });
  });

  test('a host is saved in the form it is connected to: IDNA A-labels, lower case', async () => {
    const ipc = router();
    const created = await ipc.dispatch(
      'accounts:create',
      accountDraft({ host: 'SMTP.Bücher.example' }),
      ours,
    );
    expect(created).toMatchObject({ ok: true, value: { host: 'smtp.xn--bcher-kva.example' } });
  });

  test('presets come from the contract-shaped table', async () => {
    const result = await router().dispatch('accounts:presets', undefined, ours);
    expect(result).toMatchObject({ ok: true });
    expect(result.ok && Array.isArray(result.value) && result.value.length).toBe(12);
  });
});
