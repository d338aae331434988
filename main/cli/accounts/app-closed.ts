import { tryAcquireDelivererLock } from '../../outbox/delivery/deliverer-lock.ts';
import { queuePaths } from '../../outbox/store/queue-paths.ts';
import type { CliCore } from '../cli-core.ts';
import { CliError, EXIT } from '../exit-codes.ts';

/**
 * Runs an account change only while no other process delivers from this data folder. The running
 * app keeps the accounts it loaded and would write them back over the change; holding the
 * deliverer lock meanwhile also keeps an app that starts now from delivering with stale accounts.
 */
export async function whileAppIsClosed<T>(core: CliCore, change: () => Promise<T>): Promise<T> {
  await core.outbox.open();
  const lock = await tryAcquireDelivererLock(queuePaths(core.dataDir).lock, 'accounts');
  if (!lock) {
    throw new CliError(
      EXIT.tempFail,
      'Outbox is running (the app, or a queue flush): change accounts in the app, or try again once it has quit',
    );
  }
  try {
    return await change();
  } finally {
    // A change may have moved or held queued messages: seal this process's segment first.
    await core.outbox.stop();
    await lock.release();
  }
}
