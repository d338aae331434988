import { describe, expect, test } from 'vitest';
import { storedErrorInfo } from '../../../main/errors/stored-error.ts';

describe('a stored error on its way out', () => {
  test.each([
    [
      { code: 'auth_failed', message: 'Refused.' },
      { code: 'auth_failed', message: 'Refused.' },
    ],
    [
      { code: 'invalid_address', message: 'Not an address.', field: 'to.1' },
      { code: 'invalid_address', message: 'Not an address.', field: 'to.1' },
    ],
    // A code renamed or dropped from the contract since it was stored: still shown, as `internal`.
    [
      { code: 'smtp_auth_failed', message: 'Refused.' },
      { code: 'internal', message: 'Refused.' },
    ],
    [
      { code: 'bad_rcpt', message: 'No such user.', field: 'to.0' },
      { code: 'internal', message: 'No such user.', field: 'to.0' },
    ],
  ])('%j is shown as %j', (stored, shown) => {
    expect(storedErrorInfo(stored)).toEqual(shown);
  });
});
