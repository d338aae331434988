/// <reference types="vite/client" />
import type { OutboxBridge } from '../../preload/contract/bridge-api.ts';

declare global {
  interface Window {
    /** The only way to reach main: named, typed methods exposed by the preload. */
    readonly outbox: OutboxBridge;
  }
}
