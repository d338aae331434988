import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { dialog } from 'electron';
import {
  adminLinkScript,
  CLI_LINK,
  cliExecutable,
  inspectLink,
  linkAsUser,
  planCliInstall,
} from '../desktop/cli-install.ts';

/** Outbox > Install Command-Line Tool… (macOS): main/desktop/cli-install.ts decides, this asks and tells. */
export async function installCommandLineTool(): Promise<void> {
  const { state, folderWritable } = await inspectLink(CLI_LINK);
  const plan = planCliInstall(CLI_LINK, cliExecutable(process.resourcesPath), state, folderWritable);
  if (plan.action === 'link') {
    if (plan.replaces !== undefined) {
      const { response } = await dialog.showMessageBox({
        type: 'question',
        message: `${plan.link} runs ${plan.replaces}. Make it run this Outbox instead?`,
        buttons: ['Replace', 'Cancel'],
        defaultId: 0,
        cancelId: 1,
      });
      if (response !== 0) return;
    }
    try {
      if (plan.asAdmin)
        await promisify(execFile)('/usr/bin/osascript', adminLinkScript(plan.link, plan.target));
      else await linkAsUser(plan.link, plan.target);
    } catch (error) {
      // Cancelled at the password prompt, or refused: nothing was changed.
      const why = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      await dialog.showMessageBox({
        type: 'warning',
        message: `The "outbox" command was not installed: ${why}`,
      });
      return;
    }
  }
  await dialog.showMessageBox({ type: plan.action === 'refuse' ? 'warning' : 'info', message: plan.message });
}
