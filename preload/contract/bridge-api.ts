import type { CallInput, CallName, CallOutput, EventName, EventPayload } from './channels.ts';
import type { Result } from './errors.ts';

type AreaOf<Name extends string> = Name extends `${infer Area}:${string}` ? Area : never;
type Area = AreaOf<CallName | EventName>;

type CallMethod<C extends CallName> =
  undefined extends CallInput<C>
    ? (input?: CallInput<C>) => Promise<Result<CallOutput<C>>>
    : (input: CallInput<C>) => Promise<Result<CallOutput<C>>>;

export type Unsubscribe = () => void;
type EventMethod<E extends EventName> = (listener: (payload: EventPayload<E>) => void) => Unsubscribe;

/** `outbox:enqueue` becomes `outbox.enqueue(…)`; the event `outbox:changed` becomes `outbox.onChanged(…)`. */
type AreaApi<A extends Area> = {
  readonly [C in CallName as C extends `${A}:${infer Verb}` ? Verb : never]: CallMethod<C>;
} & {
  readonly [
    E in EventName as E extends `${A}:${infer Verb}` ? `on${Capitalize<Verb>}` : never
  ]: EventMethod<E>;
};

/** Preload helpers that need Electron, not only IPC. */
export interface LocalApi {
  /**
   * Attaches files dropped onto the window: the preload reads their paths (Electron's
   * `webUtils.getPathForFile`) and main records them as chosen before answering, as `files.pick` does.
   */
  readonly chooseDropped: (files: readonly File[]) => Promise<Result<CallOutput<'files:dropped'>>>;
}

/** What the renderer sees as `window.outbox`. */
export type OutboxBridge = { readonly [A in Area]: AreaApi<A> } & { readonly local: LocalApi };
