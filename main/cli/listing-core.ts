import type { Account } from '../../preload/contract/accounts.ts';
import type { QueueItem } from '../../preload/contract/outbox.ts';
import { AccountStore } from '../accounts/account-store.ts';
import { holdSmallYoungGeneration } from '../core/young-generation.ts';
import { openQueueStore } from '../outbox/open-queue-store.ts';
import { shownState } from '../outbox/shown-state.ts';
import { queuePaths } from '../outbox/store/queue-paths.ts';
import { toQueueItem } from '../outbox/store/queue-record.ts';
import { createSentLog } from '../sent/sent-log.ts';
import type { CliIo } from './cli-io.ts';
import { openDataFolder, readSettings, stderrLogger } from './cli-settings.ts';

/**
 * What `outbox queue list` needs: the account list and the queue's index, each message read from
 * disk as its line is written. The same modules the app's core uses for them, without the rest of
 * it (delivery, the keychain, OAuth, DNS): listing an empty queue costs little more than starting
 * Node (issue 17). Takes no lock and does not watch.
 */
export interface ListingCore {
  readonly accounts: readonly Account[];
  /** The queue oldest first, each message in the state the app would show. */
  items(): Generator<QueueItem>;
  close(): Promise<void>;
}

export async function openListing(io: CliIo): Promise<ListingCore> {
  // Until it is closed: the index it builds, and the walk, would grow V8's young generation.
  const release = holdSmallYoungGeneration();
  try {
    return await openedListing(io, release);
  } catch (error) {
    release();
    throw error;
  }
}

async function openedListing(io: CliIo, release: () => void): Promise<ListingCore> {
  const { dataDir, store: settingsStore } = openDataFolder(io);
  const accountStore = new AccountStore(settingsStore);
  // Read now, inside the command's error handling, as openCore does.
  const accounts = readSettings(dataDir, () => accountStore.list());
  const byId = new Map(accounts.map((account) => [account.id, account]));
  const paths = queuePaths(dataDir);
  const sentLog = createSentLog(paths.sent);
  const store = openQueueStore({ emit: () => undefined, log: stderrLogger(io) }, paths, sentLog);
  await store.init('listing');
  return {
    accounts,
    *items() {
      // Nothing is being sent by this process; another's attempt shows as the log has it.
      for (const record of store.inOrder()) {
        yield toQueueItem(record, shownState(record.state, byId.get(record.accountId), false));
      }
    },
    async close() {
      release();
      await store.close();
      await sentLog.close();
    },
  };
}
