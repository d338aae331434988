import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { lazySchema } from '../../../preload/contract/lazy-schema.ts';

describe('lazySchema', () => {
  it('builds the schema on first use, once', () => {
    let builds = 0;
    const name = lazySchema(() => {
      builds += 1;
      return z.string().min(1);
    });
    expect(builds).toBe(0);
    expect(name.parse('ann')).toBe('ann');
    expect(name.safeParse('').success).toBe(false);
    expect(builds).toBe(1);
  });

  it('stands for the schema inside other schemas, in instanceof and in what it derives', () => {
    const kind = lazySchema(() => z.enum(['to', 'cc']));
    const recipient = lazySchema(() => z.object({ address: z.string(), kind }));
    expect(recipient instanceof z.ZodObject).toBe(true);
    expect(kind.options).toEqual(['to', 'cc']);
    expect(recipient.parse({ address: 'a@b.c', kind: 'cc' })).toEqual({ address: 'a@b.c', kind: 'cc' });
    const issues = recipient.safeParse({ address: 'a@b.c', kind: 'bcc' }).error?.issues ?? [];
    expect(issues.map((issue) => issue.path)).toEqual([['kind']]);
    const withName = recipient.extend({ name: z.string() });
    expect(withName.parse({ address: 'a@b.c', kind: 'to', name: 'Ann' }).name).toBe('Ann');
    expect(z.toJSONSchema(recipient)).toMatchObject({ type: 'object', required: ['address', 'kind'] });
  });

  it('keeps its description when nested, as z.toJSONSchema reads it (docs/cli.md)', () => {
    const ref = lazySchema(() => z.object({ id: z.string() }).describe('The account.'));
    const message = lazySchema(() => z.object({ account: ref }));
    expect(z.toJSONSchema(message)).toMatchObject({
      properties: { account: { description: 'The account.' } },
    });
  });
});
