import type { CallHandlers } from '../ipc/ipc-router.ts';
import { grantHeld, type ChosenFiles } from '../security/chosen-files.ts';
import type { DraftStore } from './draft-store.ts';

/**
 * A draft holds only paths the user chose (save refuses others), so those it holds are granted
 * again when drafts are read: after a restart the registry starts empty.
 */
export function createDraftHandlers(
  drafts: DraftStore,
  chosen: ChosenFiles,
): Pick<CallHandlers, 'drafts:list' | 'drafts:save' | 'drafts:delete'> {
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
      return drafts.save(id, content);
    },
    'drafts:delete': async ({ id }) => {
      await drafts.remove(id);
      return null;
    },
  };
}
