import { AsyncEntry } from '@napi-rs/keyring';
import type { Keychain } from '../core/ports.ts';

/**
 * On Linux, each entry is pinned to the Secret Service. `@napi-rs/keyring/keytar.js` lets the
 * binding fall back to the kernel keyring when no Secret Service answers, and says nothing: a
 * password saved there is gone at the next reboot, one still in the real keychain reads as
 * missing, and a delete reports nothing to delete. Pinned, an unreachable keychain is an error the
 * user is told about. Other platforms ignore the option.
 */
const PINNED = { linux: { store: 'secret-service' } } as const;

const entry = (service: string, account: string) => new AsyncEntry(service, account, PINNED);

/** keytar's API, as keytar.js implements it on the same binding, with no silent fallback. */
export const osKeychain: Keychain = {
  getPassword: (service, account) => entry(service, account).getPassword(),
  setPassword: (service, account, password) => entry(service, account).setPassword(password),
  deletePassword: (service, account) => entry(service, account).deletePassword(),
};
