import type { DraftContent } from '../../preload/contract/compose.ts';
import { AppError } from '../errors/app-error.ts';
import type { DraftQuota } from '../security/bridge-limits.ts';
import type { DraftFile } from './draft-store.ts';

const MB = 1024 * 1024;

/** About what the draft's file will take: its content as JSON, which is most of the file. */
export const draftBytes = (content: DraftContent): number =>
  Buffer.byteLength(JSON.stringify(content), 'utf8');

/**
 * Refuses a save that would take the drafts over `quota`: saving draft `id` (new when absent or
 * unknown) of `bytes` replaces its old file, so a draft made smaller always fits again.
 */
export function checkDraftQuota(
  saved: readonly DraftFile[],
  next: { readonly id: string | undefined; readonly bytes: number },
  quota: DraftQuota,
): void {
  const others = saved.filter((file) => file.id !== next.id);
  if (others.length + 1 > quota.count) {
    throw new AppError(
      'drafts_quota_exceeded',
      `There are already ${others.length} drafts, the most Outbox keeps. Send or delete some to save this one.`,
    );
  }
  const total = others.reduce((sum, file) => sum + file.bytes, 0) + next.bytes;
  if (total > quota.bytes) {
    throw new AppError(
      'drafts_quota_exceeded',
      `Drafts may take ${Math.round(quota.bytes / MB)} MB together, and this one would take them to ${Math.ceil(total / MB)} MB. Send or delete some drafts, or shorten this one.`,
    );
  }
}
