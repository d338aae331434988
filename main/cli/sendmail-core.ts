import { z } from 'zod';
import type { Account } from '../../preload/contract/accounts.ts';
import { AccountStore } from '../accounts/account-store.ts';
import type { AccountsPort } from '../core/ports.ts';
import { enqueueRaw, type RawMessageInput } from '../outbox/message/enqueue-raw.ts';
import { openQueueStore } from '../outbox/open-queue-store.ts';
import { queuePaths } from '../outbox/store/queue-paths.ts';
import { createSentLog } from '../sent/sent-log.ts';
import { createAppSettings, type AppSettingsService } from '../settings/app-settings.ts';
import type { CliIo } from './cli-io.ts';
import { openDataFolder, readSettings, stderrLogger } from './cli-settings.ts';

/** The accounts as queueing a message sees them: no keychain, no connection, no sign-in. */
type AccountList = Pick<AccountsPort, 'find'> & { list(): readonly Account[] };

/**
 * What `outbox sendmail` needs to queue one message, and nothing more: the settings file, the
 * account list and the queue's append path, the same modules the app's core uses for them. The
 * whole core (cli-core.ts) would load the keychain, OAuth, the connection test and nodemailer's
 * SMTP transport: several times the work of queueing (issue 17).
 */
export interface SendmailCore {
  readonly settings: AppSettingsService;
  readonly accounts: AccountList;
  /** Opens the queue folder to add to it, reading none of the queue (`QueueStore.init("append")`). */
  open(): Promise<void>;
  /** Queues a message rendered elsewhere; its bytes go out verbatim (as `Outbox.enqueueRaw`). */
  enqueueRaw(input: RawMessageInput): Promise<void>;
  /** Seals this process's queue segment, so the deliverer can reclaim it. */
  stop(): Promise<void>;
}

export function openSendmailCore(io: CliIo): SendmailCore {
  // Each object schema parses a handful of documents here: zod's compiled parsers (new Function
  // on first parse) cost more to make than they save (~10 ms of CPU a run, issue 17). zod reads this
  // as each schema is built, and the ones sendmail parses with are built later, on first use; the
  // app and the other commands keep compiled parsers.
  z.config({ jitless: true });
  const { dataDir, store: settingsStore } = openDataFolder(io);
  const settings = createAppSettings(settingsStore);
  const accountStore = new AccountStore(settingsStore);
  const accounts: AccountList = {
    list: () => accountStore.list(),
    find: (id) => accountStore.list().find((account) => account.id === id),
  };
  // Read now, inside the command's error handling, as openCore does.
  readSettings(dataDir, () => {
    settings.get();
    accounts.list();
  });
  const paths = queuePaths(dataDir);
  const sentLog = createSentLog(paths.sent);
  // Nobody watches what a script queues: the app hears of it through the queue folder.
  const store = openQueueStore({ emit: () => undefined, log: stderrLogger(io) }, paths, sentLog);
  return {
    settings,
    accounts,
    open: () => store.init('append'),
    async enqueueRaw(input) {
      await enqueueRaw(input, { accounts, store, now: Date.now() });
    },
    async stop() {
      await store.close();
      await sentLog.close();
    },
  };
}
