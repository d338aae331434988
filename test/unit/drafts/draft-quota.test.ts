import { describe, expect, test } from 'vitest';
import { checkDraftQuota } from '../../../main/drafts/draft-quota.ts';
import type { DraftFile } from '../../../main/drafts/draft-store.ts';

const quota = { count: 3, bytes: 1000 };
const saved: DraftFile[] = [
  { id: 'a', bytes: 300 },
  { id: 'b', bytes: 300 },
];

describe('the drafts quota', () => {
  test.each<[string, string | undefined, number, string | undefined]>([
    ['a new draft that fits', undefined, 400, undefined],
    ['a new draft one byte too large', undefined, 401, 'this one would take them to 1 MB'],
    ['an existing draft grown within the total', 'a', 700, undefined],
    ['an existing draft grown past the total', 'a', 701, 'Drafts may take 0 MB together'],
    ['an unknown id is a new draft', 'zzz', 400, undefined],
  ])('%s', (_name, id, bytes, refusal) => {
    const check = () => {
      checkDraftQuota(saved, { id, bytes }, quota);
    };
    if (refusal === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(expect.objectContaining({ code: 'drafts_quota_exceeded' }));
    if (refusal !== undefined) expect(check).toThrow(refusal);
  });

  test('at the most drafts, a new one is refused and an existing one is still saved', () => {
    const full = [...saved, { id: 'c', bytes: 1 }];
    expect(() => {
      checkDraftQuota(full, { id: undefined, bytes: 1 }, quota);
    }).toThrow('There are already 3 drafts, the most Outbox keeps. Send or delete some to save this one.');
    expect(() => {
      checkDraftQuota(full, { id: 'c', bytes: 10 }, quota);
    }).not.toThrow();
  });
});
