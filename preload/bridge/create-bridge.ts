import { calls, events, type CallName, type EventName } from '../contract/channels.ts';
import type { LocalApi, OutboxBridge } from '../contract/bridge-api.ts';
import type { Result } from '../contract/errors.ts';

/** How the bridge reaches main: Electron IPC in the app, a Playwright binding in tests. */
export interface BridgeTransport {
  invoke(channel: CallName, input: unknown): Promise<unknown>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
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
export function createBridge(transport: BridgeTransport, local: LocalApi): OutboxBridge {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(calls) as CallName[]) {
    const [area, verb] = split(name);
    areaOf(api, area)[verb] = (input?: unknown) =>
      transport.invoke(name, input).then(
        (result) => result as Result<unknown>,
        () => TRANSPORT_FAILED,
      );
  }
  for (const name of Object.keys(events) as EventName[]) {
    const [area, verb] = split(name);
    const method = `on${verb.charAt(0).toUpperCase()}${verb.slice(1)}`;
    areaOf(api, area)[method] = (listener: (payload: unknown) => void) => transport.subscribe(name, listener);
  }
  return { ...api, local: { pathForFile: local.pathForFile } } as unknown as OutboxBridge;
}
