import fsp from 'node:fs/promises';
import type { ComposeRequest } from '../../preload/contract/compose.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { CallHandlers } from '../ipc/ipc-router.ts';
import { createBridgeLimits, rateLimited, type BridgeLimits } from '../security/bridge-limits.ts';
import { grantHeld, type ChosenFiles } from '../security/chosen-files.ts';
import { statFiles } from '../files/file-info.ts';
import type { Outbox } from './create-outbox.ts';
import { OutboxPager } from './outbox-pages.ts';

export type OutboxHandlers = Pick<
  CallHandlers,
  | 'outbox:enqueue'
  | 'outbox:list'
  | 'outbox:page'
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
 * What queueing `request` adds to the disk, about: its bodies and the files it attaches. A file that
 * cannot be read counts nothing here; enqueue itself refuses it with the reason.
 */
async function requestBytes(request: ComposeRequest): Promise<number> {
  const sizes = await Promise.all(
    request.attachments.map(async (ref) => (await fsp.stat(ref.path).catch(() => undefined))?.size ?? 0),
  );
  const bodies = Buffer.byteLength(request.text ?? '') + Buffer.byteLength(request.html ?? '');
  return sizes.reduce((sum, size) => sum + size, bodies);
}

/**
 * The bridge calls the outbox answers; inputs arrive already validated by the router. Files are
 * read only when the user chose them (`chosen`), and the window may queue only so much so fast
 * (`queueRate`); the CLI calls the service directly, with neither.
 */
export function createOutboxHandlers(
  outbox: Pick<Outbox, 'service' | 'status' | 'firstRead'>,
  chosen: ChosenFiles,
  drafts: QueuedDrafts,
  log: Logger,
  queueRate: BridgeLimits['enqueue'] = createBridgeLimits().enqueue,
): OutboxHandlers {
  const { service, status } = outbox;
  // Order and counts from the live queue's index; a page reads its own rows' records only.
  const pager = new OutboxPager(
    () => service.rows(),
    (row) => service.find(row.id),
  );
  return {
    'outbox:enqueue': async (request) => {
      await chosen.require(
        request.attachments.map((ref) => ref.path),
        'attachments',
      );
      const admitted = queueRate.take({ messages: 1, bytes: await requestBytes(request) });
      if (!admitted.ok) throw rateLimited('messages queued in a short time', admitted.waitMs);
      // A refused message wrote nothing, so it spends nothing: fixing a typo is not sending twice.
      const queued = await service.enqueue(request).catch((error: unknown) => {
        admitted.refund();
        throw error;
      });
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
    // Asked while the core starts (a window shown early): answer once the queue is read.
    'outbox:page': async (request) => {
      await outbox.firstRead;
      return pager.page(request);
    },
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
