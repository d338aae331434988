import { spawn } from 'node:child_process';
import type { Account } from '../../../preload/contract/accounts.ts';
import type { CliCore } from '../cli-core.ts';
import type { CliIo } from '../cli-io.ts';

/** The program that opens a URL in the user's default browser, and its arguments. */
export function systemOpener(platform: NodeJS.Platform, url: string): { file: string; args: string[] } {
  if (platform === 'darwin') return { file: 'open', args: [url] };
  if (platform === 'win32') return { file: 'rundll32', args: ['url.dll,FileProtocolHandler', url] };
  return { file: 'xdg-open', args: [url] };
}

/**
 * Hands the URL to the system's opener: argv, never a shell, so nothing in the URL is interpreted;
 * detached with its output ignored, so the opener (or the browser it starts) outlives nothing of
 * ours and writes nothing into our output. A missing opener is no failure: the URL is printed.
 */
function openInBrowser(io: CliIo, url: string): void {
  const { file, args } = systemOpener(process.platform, url);
  try {
    const child = spawn(file, args, { detached: true, stdio: 'ignore', shell: false });
    child.on('error', () => io.stderr.write(`outbox: could not start ${file}: open the address yourself\n`));
    child.unref();
  } catch {
    io.stderr.write(`outbox: could not start ${file}: open the address yourself\n`);
  }
}

/**
 * What the sign-in does with its authorization URL: always printed on stderr on a line of its own
 * (a script or a user on another screen can pick it up), and opened in the browser unless told not to.
 */
function browserOf(io: CliIo, openBrowser: boolean): (url: string) => Promise<void> {
  return (url) => {
    // Only a web page: an opener would also run a file or a custom-scheme handler.
    if (!/^https?:\/\//i.test(url)) return Promise.reject(new Error('not a web address'));
    io.stderr.write(
      openBrowser
        ? 'Opening your browser to sign in. If no browser window appeared, open this address:\n'
        : 'Open this address in a browser on this computer to sign in:\n',
    );
    io.stderr.write(`${url}\n`);
    io.stderr.write('Waiting for the sign-in in your browser… (Ctrl-C to cancel)\n');
    if (openBrowser) openInBrowser(io, url);
    return Promise.resolve();
  };
}

/**
 * Signs an OAuth2 account in through the browser and waits for it. Ctrl-C (SIGINT) aborts it: the
 * sign-in answers oauth_cancelled and nothing is saved.
 */
export async function signInFromTerminal(
  io: CliIo,
  core: CliCore,
  accountId: string,
  options: { readonly openBrowser: boolean },
): Promise<Account> {
  const controller = new AbortController();
  const cancel = () => {
    controller.abort();
  };
  process.on('SIGINT', cancel);
  try {
    const signedIn = await core.accounts.signIn(accountId, {
      openBrowser: browserOf(io, options.openBrowser),
      signal: controller.signal,
    });
    io.stderr.write(
      `Signed in${signedIn.signedInAs ? ` as ${signedIn.signedInAs}` : ''}: "${signedIn.label}" can send.\n`,
    );
    return signedIn;
  } finally {
    process.off('SIGINT', cancel);
  }
}
