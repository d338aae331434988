import { expect, test } from 'vitest';
import { patchOf } from '../../../preload/contract/primitives.ts';
import { accountInput } from '../../../preload/contract/accounts.ts';
import { appSettings } from '../../../preload/contract/settings.ts';
test('patch keeps untouched fields absent', () => {
  expect(patchOf(appSettings).parse({ undoSeconds: 5 })).toEqual({ undoSeconds: 5 });
  expect(patchOf(appSettings).safeParse({ bogus: 1 }).success).toBe(false);
});

test('null removes an optional field, but cannot blank a required or defaulted one', () => {
  const patch = patchOf(accountInput);
  expect(patch.parse({ replyTo: null })).toEqual({ replyTo: null });
  expect(patch.safeParse({ host: null }).success).toBe(false);
  expect(patch.safeParse({ aliases: null }).success).toBe(false);
});
