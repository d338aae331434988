import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../main/errors/app-error.ts';
import { NewerFormatError, storedSchema, upgrade, type StoredFormat } from '../../../main/files/versioned.ts';

/** Format 3: format 1 called the list `items`, format 2 `list`; version 1 files had no `version`. */
const format: StoredFormat = {
  name: 'test notes',
  version: 3,
  unversioned: 1,
  migrations: {
    1: ({ items, ...document }) => ({ ...document, list: items }),
    2: ({ list, ...document }) => ({ ...document, notes: list }),
  },
};

describe('upgrading a stored document', () => {
  test.each([
    ['format 1, unversioned', { items: ['a'] }, { version: 3, notes: ['a'] }],
    ['format 1', { version: 1, items: ['a'] }, { version: 3, notes: ['a'] }],
    ['format 2', { version: 2, list: ['a'] }, { version: 3, notes: ['a'] }],
    ['format 3 (today)', { version: 3, notes: ['a'] }, { version: 3, notes: ['a'] }],
  ])('%s is brought up to today by the registered steps', (_name, stored, today) => {
    expect(upgrade(stored, format)).toEqual(today);
  });

  test('a document from a newer Outbox is refused with a clear error, and not changed', () => {
    const stored = Object.freeze({ version: 4, notes: ['a'] });
    expect(() => upgrade(stored, format)).toThrow(NewerFormatError);
    expect(() => upgrade(stored, format)).toThrow(
      'Outbox cannot read the test notes: format 4 comes from a newer version of Outbox (this one reads up to 3). Update Outbox; nothing was changed.',
    );
    expect(stored).toEqual({ version: 4, notes: ['a'] });
  });

  test.each([
    ['no step from its format', { version: 0 }, /format 0\) cannot be upgraded/],
    ['a version that is not a number', { version: '3' }, /format 0\) cannot be upgraded/],
    ['not a document', ['a'], /could not be read \(damaged\)/],
    ['nothing', null, /could not be read \(damaged\)/],
  ])('%s is damage, not a newer format', (_name, stored, message) => {
    const read = () => upgrade(stored, format);
    expect(read).toThrow(message);
    expect(read).toThrow(AppError);
    expect(read).not.toThrow(NewerFormatError);
  });

  test('a stored schema upgrades before it checks, and throws (not fails) for a newer format', () => {
    const schema = storedSchema(format, z.object({ version: z.literal(3), notes: z.array(z.string()) }));
    expect(schema.parse({ items: ['a'] })).toEqual({ version: 3, notes: ['a'] });
    expect(schema.safeParse({ version: 3, notes: [1] }).success).toBe(false);
    expect(schema.safeParse('not a document').success).toBe(false);
    expect(() => schema.safeParse({ version: 9 })).toThrow(NewerFormatError);
  });
});
