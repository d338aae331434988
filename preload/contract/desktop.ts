import { z } from 'zod';
import { lazySchema } from './lazy-schema.ts';

/** Whether Outbox opens mailto: links, and whether it can make itself do so (issue 18). */
export const defaultMailApp = lazySchema(() =>
  z.object({
    isDefault: z.boolean(),
    /** False where only the user may choose (Windows 10 and later): the action opens that setting. */
    canSet: z.boolean(),
  }),
);
export type DefaultMailApp = z.infer<typeof defaultMailApp>;
