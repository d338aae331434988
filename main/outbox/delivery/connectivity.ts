import type { Clock } from '../../core/clock.ts';
import { onlineMsBetween } from './online-time.ts';

/** `isOnline() === false` is reliable; `true` is no proof, so going back online is only ever a trial. */
export const POLL_MS = 5_000;
/** While offline with the platform claiming to be online, try the network again this often. */
export const PROBE_MS = 60_000;

export interface Connectivity {
  readonly online: boolean;
  /** A connection failed in a way that means no network (no route, no DNS). */
  reportOffline(): void;
  /** A connection reached a server: the only real proof of being online. */
  reportReachable(): void;
  /** The renderer's online/offline events, or a wake from sleep. */
  hint(online: boolean): void;
  /** Online time in [from, to], for the retry lifetime: less what this process saw offline (online-time.ts). */
  onlineMsBetween(from: number, to: number): number;
  /** Fires with `true` when it is worth trying the network again, `false` when it went away. */
  onChange(listener: (online: boolean) => void): () => void;
  start(): void;
  stop(): void;
}

export interface ConnectivityDeps {
  readonly clock: Clock;
  /** The platform's word (Electron's `net.isOnline()`). */
  readonly isOnline: () => boolean;
}

export function createConnectivity(deps: ConnectivityDeps): Connectivity {
  const { clock } = deps;
  const offlineSpans: { from: number; to?: number }[] = [];
  const listeners = new Set<(online: boolean) => void>();
  let online = true;
  let offlineSince = 0;
  let cancelPoll: (() => void) | undefined;
  let platformWasOnline = true;

  function set(next: boolean, notify = true): void {
    if (next === online) return;
    online = next;
    const now = clock.now();
    if (next) {
      const open = offlineSpans.at(-1);
      if (open && open.to === undefined) open.to = now;
    } else {
      offlineSince = now;
      offlineSpans.push({ from: now });
    }
    if (notify) for (const listener of listeners) listener(next);
  }

  function poll(): void {
    const platformOnline = deps.isOnline();
    if (!platformOnline) set(false);
    else if (!online && (!platformWasOnline || clock.now() - offlineSince >= PROBE_MS)) set(true);
    platformWasOnline = platformOnline;
    cancelPoll = clock.setTimer(poll, POLL_MS);
  }

  return {
    get online() {
      return online;
    },
    reportOffline: () => {
      set(false);
    },
    reportReachable: () => {
      set(true);
    },
    hint: (next) => {
      set(next);
    },
    onlineMsBetween: (from, to) => onlineMsBetween(from, to, offlineSpans),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      platformWasOnline = deps.isOnline();
      if (!platformWasOnline) set(false, false);
      cancelPoll ??= clock.setTimer(poll, POLL_MS);
    },
    stop() {
      cancelPoll?.();
      cancelPoll = undefined;
    },
  };
}
