import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import type { AppSettings } from '../../preload/contract/settings.ts';
import { osKeychain } from '../../main/accounts/os-keychain.ts';
import { createCore, type Core, type CoreOptions } from '../../main/app/create-core.ts';
import type { EventSink, Keychain, Platform, SettingsStore } from '../../main/core/ports.ts';
import type { BridgeLimitsOptions } from '../../main/security/bridge-limits.ts';
import { silentLogger, type Logger } from '../../main/errors/logger.ts';
import type { HarnessCore } from './renderer-harness.ts';

export interface TestCore extends HarnessCore {
  readonly core: Core;
  readonly dataDir: string;
  readonly store: SettingsStore;
  /** Files the native dialog "picks" next; tests set it. */
  pickNext: string[];
  /** Notifications the app showed. */
  readonly notifications: { title: string; body: string }[];
  /** What `net.isOnline()` says; tests flip it. */
  online: boolean;
  /** The user's browser: what `openExternal` does with a URL (a sign-in test drives Chromium with it). */
  browser: (url: string) => Promise<void>;
  close(): Promise<void>;
}

export interface TestCoreOptions {
  /** An existing data folder, to start main again on it as after a restart; a new one when absent. */
  readonly dataDir?: string;
  readonly settings?: Partial<AppSettings>;
  readonly log?: Logger;
  readonly dnsServers?: string[];
  /** Smaller limits on the window's calls, on a fake clock; the app's own when absent. */
  readonly bridgeLimits?: BridgeLimitsOptions;
  /** The OS keychain, or a wrapper of it (a test that holds a write back); the real one when absent. */
  readonly keychain?: Keychain;
  /** The browser sign-in and the token keeper; OAuth2 is refused when absent. */
  readonly oauth?: CoreOptions['oauth'];
  /** What start at login and delivery while closed go through; the settings are only saved when absent. */
  readonly osIntegration?: CoreOptions['osIntegration'];
  /** "Make Outbox the default mail app"; none when absent. */
  readonly defaultMailApp?: CoreOptions['defaultMailApp'];
  /** What `net.isOnline()` says from the start (before the first delivery is tried); true when absent. */
  readonly online?: boolean;
}

/**
 * The real core (outbox, accounts, drafts, settings) on a temp data folder, with `conf` as the
 * settings store (the file format electron-store uses), the real OS keychain (run inside
 * test/run-with-services.sh) and a platform fake standing in for Electron's dialog and notifications.
 */
export async function startTestCore(options: TestCoreOptions = {}): Promise<TestCore> {
  const dataDir = options.dataDir ?? (await fsp.mkdtemp(path.join(tmpdir(), 'outbox-core-')));
  const store = new Conf({ cwd: dataDir, projectName: 'outbox-test', configName: 'config' });
  if (options.settings) store.set('app', options.settings);
  let sink: EventSink | undefined;
  const platform: Platform = {
    pickFiles: () => Promise.resolve(fixture.pickNext.splice(0)),
    notify: (title, body) => fixture.notifications.push({ title, body }),
    isOnline: () => fixture.online,
    openExternal: (url) => fixture.browser(url),
    version: '0.0.0-test',
  };
  const core = await createCore({
    dataDir,
    store,
    keychain: options.keychain ?? osKeychain,
    platform,
    emit: (event, payload) => sink?.(event, payload),
    log: options.log ?? silentLogger,
    ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}),
    ...(options.bridgeLimits ? { bridgeLimits: options.bridgeLimits } : {}),
    ...(options.oauth ? { oauth: options.oauth } : {}),
    ...(options.osIntegration ? { osIntegration: options.osIntegration } : {}),
    ...(options.defaultMailApp ? { defaultMailApp: options.defaultMailApp } : {}),
  });
  const fixture: TestCore = {
    core,
    dataDir,
    store,
    handlers: core.handlers,
    pickNext: [],
    notifications: [],
    online: options.online ?? true,
    browser: () => Promise.reject(new Error('This test has no browser')),
    setEventSink: (next) => {
      sink = next;
    },
    async close() {
      await core.stop();
      await fsp.rm(dataDir, { recursive: true, force: true });
    },
  };
  await core.start();
  return fixture;
}
