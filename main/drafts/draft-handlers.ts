import type { CallHandlers } from '../ipc/ipc-router.ts';
import { BRIDGE_LIMITS, type DraftQuota } from '../security/bridge-limits.ts';
import { grantHeld, type ChosenFiles } from '../security/chosen-files.ts';
import { checkDraftQuota, draftBytes } from './draft-quota.ts';
import type { DraftStore } from './draft-store.ts';

/**
 * A draft holds only paths the user chose (save refuses others), so those it holds are granted
 * again when drafts are read: after a restart the registry starts empty. Saves stay within `quota`,
 * one at a time so that saves sent together cannot each find room for themselves alone.
 */
export function createDraftHandlers(
  drafts: DraftStore,
  chosen: ChosenFiles,
  quota: DraftQuota = BRIDGE_LIMITS.drafts,
): Pick<CallHandlers, 'drafts:list' | 'drafts:save' | 'drafts:delete'> {
  let saving: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = saving.then(work);
    saving = turn.catch(() => undefined);
    return turn;
  };
  return {
    'drafts:list': async () => {
      const all = await drafts.list();
      await Promise.all(all.map((saved) => grantHeld(chosen, saved.content)));
      return all;
    },
    'drafts:save': async ({ id, content }) => {
      await chosen.require(
        content.attachments.map((ref) => ref.path),
        'content.attachments',
      );
      return inTurn(async () => {
        checkDraftQuota(await drafts.files(), { id, bytes: draftBytes(content) }, quota);
        return drafts.save(id, content);
      });
    },
    'drafts:delete': async ({ id }) => {
      await drafts.remove(id);
      return null;
    },
  };
}
