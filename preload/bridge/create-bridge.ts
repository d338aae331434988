import { calls, events, type CallName, type ChannelName, type EventName } from '../contract/channels.ts';
import type { OutboxBridge } from '../contract/bridge-api.ts';
import type { Result } from '../contract/errors.ts';

/** How the bridge reaches main: Electron IPC in the app, a Playwright binding in tests. */
export interface BridgeTransport {
  invoke(channel: ChannelName, input: unknown): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
}

/** What differs between the app's preload and the test page: where a dropped file's path comes from. */
export interface FilePaths {
  /** Electron's `webUtils.getPathForFile`: empty for a File made in page script. */
  pathForFile(file: File): string;
}

const TRANSPORT_FAILED: Result<never> = {
  ok: false,
  error: { code: 'internal', message: 'Outbox could not reach its background process.' },
};

function split(name: string): [area: string, verb: string] {
  const [area = '', verb = ''] = name.split(':');
  return [area, verb];
}

function areaOf(api: Record<string, Record<string, unknown>>, area: string): Record<string, unknown> {
  api[area] ??= {};
  return api[area];
}

/**
 * Builds the named methods of `window.outbox` from the contract table: one method per call and one
 * `onX` per event, nothing generic. Only plain values and functions, so contextBridge can copy it.
 */
export function createBridge(transport: BridgeTransport, files: FilePaths): OutboxBridge {
  const invoke = (name: ChannelName, input?: unknown) =>
    transport.invoke(name, input).then(
      (result) => result as Result<unknown>,
      () => TRANSPORT_FAILED,
    );
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(calls) as CallName[]) {
    const [area, verb] = split(name);
    areaOf(api, area)[verb] = (input?: unknown) => invoke(name, input);
  }
  for (const name of Object.keys(events) as EventName[]) {
    const [area, verb] = split(name);
    const method = `on${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
    areaOf(api, area)[method] = (listener: (payload: unknown) => void) => transport.subscribe(name, listener);
  }
  // The paths go to main and back, never chosen by the page: a drop is a grant, as a pick is.
  const chooseDropped = (dropped: readonly File[]) =>
    invoke('files:dropped', { paths: dropped.map((file) => files.pathForFile(file)).filter(Boolean) });
  return { ...api, local: { chooseDropped } } as unknown as OutboxBridge;
}
