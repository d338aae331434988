import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestPostfix {
  readonly port: number;
  /** Delivered mail, one file per message (Maildir `new/`). */
  readonly maildir: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return address.port;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => {
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`Postfix did not listen on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Debian's Postfix as an independent MTA on a high loopback port: a private config and queue
 * directory under a temp folder (so the system's own Postfix stays untouched), every recipient in
 * example.net delivered by the virtual agent to one Maildir. Needs root, as `postfix start` does.
 */
export async function startPostfix(): Promise<TestPostfix> {
  const dir = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-postfix-'));
  const conf = path.join(dir, 'conf');
  const mail = path.join(dir, 'mail');
  for (const sub of [conf, path.join(dir, 'queue'), path.join(dir, 'data'), mail]) await fsp.mkdir(sub);
  await fsp.chmod(dir, 0o755);
  await run('chown', ['postfix', path.join(dir, 'data')]);
  await run('chown', ['nobody:nogroup', mail]);
  const port = await freePort();
  const master = await fsp.readFile('/etc/postfix/master.cf', 'utf8');
  await fsp.writeFile(
    path.join(conf, 'master.cf'),
    master.replace(/^smtp(\s+)inet/m, `127.0.0.1:${port}$1inet`),
  );
  await fsp.writeFile(
    path.join(conf, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/queue`,
      `data_directory = ${dir}/data`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      'myhostname = outbox-test.localdomain',
      'mydestination =',
      'mynetworks = 127.0.0.0/8',
      'smtpd_relay_restrictions = permit_mynetworks, reject',
      'alias_maps =',
      'alias_database =',
      'virtual_mailbox_domains = example.net',
      `virtual_mailbox_base = ${mail}`,
      // A trailing slash makes the virtual agent write Maildir.
      'virtual_mailbox_maps = static:inbox/',
      'virtual_uid_maps = static:65534',
      'virtual_gid_maps = static:65534',
      'message_size_limit = 60000000',
      'virtual_mailbox_limit = 0',
      'smtputf8_enable = yes',
      `maillog_file_prefixes = ${dir}`,
      `maillog_file = ${dir}/maillog`,
      '',
    ].join('\n'),
  );
  await run('postfix', ['-c', conf, 'start']);
  await waitForPort(port, 20_000);
  return {
    port,
    maildir: path.join(mail, 'inbox', 'new'),
    async stop() {
      await run('postfix', ['-c', conf, 'stop']).catch(() => undefined);
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}
