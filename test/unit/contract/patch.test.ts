import { expect, test } from 'vitest';
import { patchOf } from '../../../preload/contract/primitives.ts';
import { appSettings } from '../../../preload/contract/settings.ts';
test('patch keeps untouched fields absent', () => {
  expect(patchOf(appSettings).parse({ undoSeconds: 5 })).toEqual({ undoSeconds: 5 });
  expect(patchOf(appSettings).safeParse({ bogus: 1 }).success).toBe(false);
});
