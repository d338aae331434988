import type { CallHandlers } from '../ipc/ipc-router.ts';
import type { DraftStore } from './draft-store.ts';

export function createDraftHandlers(
  drafts: DraftStore,
): Pick<CallHandlers, 'drafts:list' | 'drafts:save' | 'drafts:delete'> {
  return {
    'drafts:list': () => drafts.list(),
    'drafts:save': ({ id, content }) => drafts.save(id, content),
    'drafts:delete': async ({ id }) => {
      await drafts.remove(id);
      return null;
    },
  };
}
