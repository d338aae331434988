// Postfix's smtp-sink for the benches: an SMTP server that accepts and discards, written in C, so
// the peer on the other end costs the measured side as little as possible.
import { spawn } from 'node:child_process';
import net from 'node:net';

export interface SmtpSink {
  readonly port: number;
  stop(): void;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether something on `port` greets: it serves SMTP, not just a listening socket. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });
}

/** smtp-sink on a free loopback port, with a backlog of `backlog`; resolves once it greets. */
export async function startSmtpSink(backlog: number): Promise<SmtpSink> {
  const port = await freePort();
  // -u: smtp-sink refuses to keep root's privileges.
  const asNobody = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
  const child = spawn('/usr/sbin/smtp-sink', [...asNobody, `127.0.0.1:${port}`, String(backlog)], {
    stdio: 'ignore',
  });
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await greets(port)) return { port, stop: () => child.kill() };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill();
  throw new Error('smtp-sink did not answer');
}
