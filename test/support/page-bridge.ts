// Runs inside the page under test, before any of its scripts (a Playwright init script). It builds
// `window.outbox` with the real preload bridge factory; only the transport differs from the app:
// calls go through a Playwright binding into main's real IPC router instead of ipcRenderer.
import { createBridge } from '../../preload/bridge/create-bridge.ts';

interface HarnessWindow {
  /** The router's answer as JSON text (see renderer-harness.ts). */
  __outboxInvoke(channel: string, input: unknown): Promise<string>;
  __outboxDeliver?: (event: string, payload: unknown) => void;
  __outboxDropDir?: string;
}

// This file is compiled with Node's types (it lives in test/), so it reaches the page's window as globalThis.
const harness = globalThis as unknown as HarnessWindow;
const listeners = new Map<string, Set<(payload: unknown) => void>>();

harness.__outboxDeliver = (event, payload) => {
  for (const listener of listeners.get(event) ?? []) listener(payload);
};

const bridge = createBridge(
  {
    invoke: async (channel, input) => JSON.parse(await harness.__outboxInvoke(channel, input)) as unknown,
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      return () => set.delete(listener);
    },
  },
  // Files dropped in tests are created in the page from files the test wrote into this folder; the
  // bridge then grants them through main's real `files:dropped` handler, as the app's preload does.
  { pathForFile: (file) => `${harness.__outboxDropDir ?? ''}/${file.name}` },
);

Object.defineProperty(globalThis, 'outbox', { value: Object.freeze(bridge), enumerable: true });
