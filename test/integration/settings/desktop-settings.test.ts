import { afterEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createIpcRouter } from '../../../main/ipc/ipc-router.ts';
import type { SenderInfo } from '../../../main/ipc/trusted-sender.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { RecordingOs } from '../../support/recording-os.ts';

const ORIGIN = 'app://outbox';
const WINDOW: SenderInfo = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };

let core: TestCore | undefined;
afterEach(async () => {
  await core?.close();
  core = undefined;
});

async function start(dataDir?: string) {
  const os = new RecordingOs();
  core = await startTestCore({ osIntegration: os, ...(dataDir ? { dataDir } : {}) });
  const router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  const update = (patch: unknown) => router.dispatch('settings:update', patch, WINDOW);
  const get = () => router.dispatch('settings:get', undefined, WINDOW);
  return { os, update, get, core };
}

describe('the background settings through the real handlers', () => {
  test('default to keep running, no start at login, no delivery while closed', async () => {
    const { get, os } = await start();
    expect(await get()).toMatchObject({
      ok: true,
      value: { keepRunningInBackground: true, startAtLogin: false, deliverWhileClosed: false },
    });
    expect(os.calls).toEqual([]);
  });

  test('start at login and delivery while closed go through the OS, and are saved', async () => {
    const { update, get, os } = await start();
    expect(await update({ startAtLogin: true })).toMatchObject({ ok: true, value: { startAtLogin: true } });
    expect(await update({ deliverWhileClosed: true })).toMatchObject({
      ok: true,
      value: { deliverWhileClosed: true },
    });
    expect(await update({ startAtLogin: false, deliverWhileClosed: false })).toMatchObject({ ok: true });
    expect(os.calls).toEqual([
      'startAtLogin true',
      'deliveryTimer true',
      'startAtLogin false',
      'deliveryTimer false',
    ]);
    expect(await get()).toMatchObject({ value: { startAtLogin: false, deliverWhileClosed: false } });
  });

  test('keep running in the background is only saved, and survives a restart', async () => {
    const first = await start();
    await first.update({ keepRunningInBackground: false, undoSeconds: 5 });
    expect(first.os.calls).toEqual([]);
    const dataDir = first.core.dataDir;
    await first.core.core.stop();
    core = undefined;
    const again = await start(dataDir);
    expect(await again.get()).toMatchObject({ value: { keepRunningInBackground: false, undoSeconds: 5 } });
  });

  test('an OS refusal reaches the user as a clear error and the setting stays as it was', async () => {
    const { update, get, os } = await start();
    os.refuse.startAtLogin = new Error('Permission denied: ~/.config/autostart/outbox.desktop\nstack…');
    expect(await update({ startAtLogin: true })).toEqual({
      ok: false,
      error: {
        code: 'system_setup_failed',
        message:
          'Your system did not let Outbox start at login: Permission denied: ~/.config/autostart/outbox.desktop.',
        field: 'startAtLogin',
      },
    });
    expect(await get()).toMatchObject({ value: { startAtLogin: false } });
  });

  test('a refused timer keeps what the OS did take in the same change', async () => {
    const { update, get, os } = await start();
    os.refuse.deliveryTimer = new Error('systemctl --user: Failed to connect to bus');
    const result = await update({ startAtLogin: true, deliverWhileClosed: true, undoSeconds: 3 });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'system_setup_failed', field: 'deliverWhileClosed' },
    });
    expect(await get()).toMatchObject({
      value: { startAtLogin: true, deliverWhileClosed: false, undoSeconds: 3 },
    });
  });

  test('an invalid patch asks the OS nothing', async () => {
    const { update, os } = await start();
    expect(await update({ startAtLogin: true, undoSeconds: 600 })).toMatchObject({ ok: false });
    expect(os.calls).toEqual([]);
  });
});
