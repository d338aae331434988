import type { RecipientStatus } from '../../preload/contract/outbox.ts';
import type { CallHandlers } from '../ipc/ipc-router.ts';
import { CONTACTS_FROM_LAST, type SentHistory } from './sent-history.ts';

export type SentHandlers = Pick<CallHandlers, 'sent:list' | 'sent:get' | 'contacts:recent'>;

/**
 * The bridge calls the sent log answers. Address completion also offers the recipients of what is
 * still queued (`queued`), so an address typed a minute ago is offered before it is sent.
 */
export function createSentHandlers(
  sent: SentHistory,
  /** The newest `count` queued messages, newest first (read as the walk reaches them). */
  queued: (count: number) => Iterable<{ readonly recipients: readonly RecipientStatus[] }>,
): SentHandlers {
  return {
    'sent:list': (query) => sent.list(query),
    'sent:get': ({ id }) => sent.get(id),
    'contacts:recent': ({ prefix, limit }) => sent.recentContacts(prefix, limit, queued(CONTACTS_FROM_LAST)),
  };
}
