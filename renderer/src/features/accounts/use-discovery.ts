import { useCallback, useEffect, useRef, useState } from 'react';
import { addressParts } from '../../../../preload/contract/address.ts';
import type { Discovery } from '../../../../preload/contract/discovery.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';

/** How long typing must pause before the address is looked up. */
export const LOOKUP_DELAY_MS = 500;

export type LookupState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'looking'; readonly domain: string }
  | { readonly phase: 'done'; readonly result: Discovery }
  | { readonly phase: 'failed'; readonly error: ErrorInfo };

const IDLE: LookupState = { phase: 'idle' };

/**
 * The domain worth looking up in what is typed: a whole address whose domain has a dot, so that
 * "ann@gmail" does not ask the network about a name no one sends mail from.
 */
export function lookupDomain(address: string): string | undefined {
  const domain = addressParts(address.trim())?.domain;
  return domain && /\.[^.]{2,}$/.test(domain) ? domain : undefined;
}

export interface Discovering {
  readonly state: LookupState;
  /** Looks the address up now (the field was left) unless it already was. */
  readonly lookUpNow: () => void;
  /** Forgets the answer shown (the user chose a provider from the menu). */
  readonly clear: () => void;
}

/**
 * Looks up a new account's server as its address is typed (issue 16): once typing pauses, and at
 * once when the field is left. A newer lookup supersedes an older one: an answer for an address
 * that is no longer the one typed is ignored. `onResult` hears each answer that still counts, when
 * it arrives, so the editor can fill the form from what the user has typed by then.
 */
export function useDiscovery(
  address: string,
  enabled: boolean,
  onResult: (result: Discovery) => void,
): Discovering {
  // Each state names the address it is about: once the address changes, it is idle again.
  const [held, setHeld] = useState<{ readonly about: string; readonly state: LookupState }>({
    about: '',
    state: IDLE,
  });
  // Bumped by every change of address: an answer carrying an older number is stale.
  const generation = useRef(0);
  const asked = useRef<string | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const listener = useRef(onResult);
  useEffect(() => {
    listener.current = onResult;
  });

  const run = useCallback(
    async (wanted: string) => {
      const domain = lookupDomain(wanted);
      if (!enabled || domain === undefined || asked.current === wanted) return;
      asked.current = wanted;
      const mine = generation.current;
      setHeld({ about: wanted, state: { phase: 'looking', domain } });
      const answer = await window.outbox.accounts.discover({ address: wanted.trim() });
      if (mine !== generation.current) return;
      if (answer.ok) {
        setHeld({ about: wanted, state: { phase: 'done', result: answer.value } });
        listener.current(answer.value);
      } else {
        setHeld({ about: wanted, state: { phase: 'failed', error: answer.error } });
      }
    },
    [enabled],
  );

  useEffect(() => {
    generation.current++;
    asked.current = undefined;
    timer.current = setTimeout(() => void run(address), LOOKUP_DELAY_MS);
    return () => {
      clearTimeout(timer.current);
    };
  }, [address, run]);

  return {
    state: held.about === address ? held.state : IDLE,
    lookUpNow: () => {
      clearTimeout(timer.current);
      void run(address);
    },
    clear: () => {
      clearTimeout(timer.current);
      generation.current++;
      setHeld({ about: '', state: IDLE });
    },
  };
}
