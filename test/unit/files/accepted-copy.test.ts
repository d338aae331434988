import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { acceptedCopy } from '../../../main/files/accepted-copy.ts';

const schema = z.object({
  id: z.string().regex(/^[a-z]+$/),
  at: z.iso.datetime(),
  count: z.number().int(),
  kind: z.enum(['a', 'b']),
  sender: z.literal('').or(z.string().min(3)),
  note: z.string().optional(),
  items: z.array(z.object({ name: z.string(), done: z.boolean().optional() })),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

describe('acceptedCopy', () => {
  it("gives what the schema's parse gives for input it accepts, key order included", () => {
    const copy = acceptedCopy(schema);
    const inputs = [
      { id: 'a', at: '2026-01-01T10:00:00.000Z', count: 1, kind: 'a', sender: '', items: [] },
      {
        // Every field, in another order, with keys the schema does not have at each level.
        error: { message: 'm', code: 'c', extra: 1 },
        items: [{ done: true, name: 'x', extra: [1] }, { name: 'y' }],
        note: 'n',
        sender: 'me@example.org',
        kind: 'b',
        count: 2,
        at: '2026-01-01T10:00:00Z',
        id: 'b',
        extra: { nested: true },
      },
    ];
    for (const input of [...inputs, { ...inputs[0], note: undefined }]) {
      expect(copy?.(input)).toStrictEqual(schema.parse(input));
      expect(JSON.stringify(copy?.(input))).toBe(JSON.stringify(schema.parse(input)));
    }
  });

  it('checks nothing: input the schema refuses comes back copied all the same', () => {
    expect(acceptedCopy(schema)?.({ id: 'NOT VALID', count: 'x', items: [] })).toEqual({
      id: 'NOT VALID',
      count: 'x',
      items: [],
    });
  });

  it('refuses a schema whose parse makes something other than its input', () => {
    const refused = [
      z.object({ a: z.string().transform((s) => s.length) }),
      z.object({ a: z.number().default(1) }),
      z.object({ a: z.preprocess((v) => v, z.string()) }),
      z.object({ a: z.record(z.string(), z.string()) }),
      z.object({ a: z.array(z.string().trim()).optional() }),
      z.object({ a: z.union([z.string(), z.object({ b: z.string() })]) }),
      z.object({ a: z.string().toLowerCase() }),
      z.object({ a: z.coerce.number() }),
      z.object({ a: z.string().refine((s) => s !== '') }),
      z.looseObject({ a: z.string() }),
      z.object({ a: z.string() }).catchall(z.string()),
      z.object({ a: z.array(z.number()).overwrite((xs) => [...xs].sort()) }),
      z.object({
        a: z
          .string()
          .optional()
          .overwrite((s) => s?.trim()),
      }),
      z.object({ a: z.string() }).overwrite((o) => ({ a: o.a.trim() })),
      z.object({ a: z.literal('').or(z.string().trim()) }),
    ];
    for (const one of refused) expect(acceptedCopy(one)).toBeUndefined();
  });
});
