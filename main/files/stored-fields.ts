import { z } from 'zod';

// Fields every stored format uses. The stores' own, not the contract's `id` and `isoTime`: a change
// to the contract must never make what is on disk unreadable. A change here changes every format.

/** A message, draft or account id as stored: also a file name (`<id>.eml`, `<id>.json`), so nothing else. */
export const storedId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
export const storedTime = z.iso.datetime({ offset: true });
