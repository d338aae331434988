import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { CallHandlers } from '../ipc/ipc-router.ts';
import { grantHeld, type ChosenFiles } from '../security/chosen-files.ts';
import { statFiles } from '../files/file-info.ts';
import type { Outbox } from './create-outbox.ts';

export type OutboxHandlers = Pick<
  CallHandlers,
  | 'outbox:enqueue'
  | 'outbox:list'
  | 'outbox:get'
  | 'outbox:retryNow'
  | 'outbox:cancel'
  | 'outbox:undo'
  | 'outbox:edit'
  | 'outbox:resend'
  | 'outbox:markSent'
  | 'outbox:setAside'
  | 'outbox:restore'
  | 'files:stat'
  | 'app:getStatus'
  | 'app:networkHint'
>;

/** The drafts, as queueing sees them: a draft is done with once its message is safely queued. */
export interface QueuedDrafts {
  /** Throws AppError `not_found` when the draft is already gone. */
  remove(id: string): Promise<void>;
}

/**
 * The bridge calls the outbox answers; inputs arrive already validated by the router. Files are
 * read only when the user chose them (`chosen`); the CLI calls the service directly with its own.
 */
export function createOutboxHandlers(
  outbox: Pick<Outbox, 'service' | 'status'>,
  chosen: ChosenFiles,
  drafts: QueuedDrafts,
  log: Logger,
): OutboxHandlers {
  const { service, status } = outbox;
  return {
    'outbox:enqueue': async (request) => {
      await chosen.require(
        request.attachments.map((ref) => ref.path),
        'attachments',
      );
      const queued = await service.enqueue(request);
      if (request.draftId) {
        await drafts.remove(request.draftId).catch((error: unknown) => {
          if (!(error instanceof AppError && error.code === 'not_found')) {
            log.warn('Removing the sent draft failed', { error });
          }
        });
      }
      return queued;
    },
    'outbox:list': () => service.list(),
    'outbox:get': ({ id }) => service.get(id),
    'outbox:retryNow': ({ id }) => service.retryNow(id),
    'outbox:cancel': async ({ id }) => {
      await service.cancel(id);
      return null;
    },
    'outbox:undo': async ({ id }) => grantHeld(chosen, await service.undo(id)),
    'outbox:edit': async ({ id }) => grantHeld(chosen, await service.edit(id)),
    'outbox:resend': ({ id }) => service.resend(id),
    'outbox:markSent': async ({ id }) => {
      await service.markSent(id);
      return null;
    },
    'outbox:setAside': () => service.setAsideItems(),
    'outbox:restore': ({ key }) => service.restore(key),
    'files:stat': async ({ paths }) => {
      await chosen.require(paths, 'paths');
      return statFiles(paths);
    },
    'app:getStatus': () => status.status(),
    'app:networkHint': ({ online }) => {
      service.networkHint(online);
      return null;
    },
  };
}
