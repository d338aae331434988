import net from 'node:net';

export interface StarttlsRefusingServer {
  readonly port: number;
  /** Every command the server read, in order: nothing past STARTTLS may come in clear. */
  readonly commands: string[];
  close(): Promise<void>;
}

/**
 * A server that offers STARTTLS in EHLO and then refuses it with `reply` (454 "try later", or as a
 * stripping middlebox would answer), on 127.0.0.1. smtp-server has no way to refuse STARTTLS with a
 * code of our choosing, so this one speaks just enough SMTP by hand (RFC 5321 §4.1, RFC 3207 §4).
 */
export async function startStarttlsRefusingServer(reply: string): Promise<StarttlsRefusingServer> {
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const answer = (line: string): string => {
    const verb = line.split(' ')[0]?.toUpperCase() ?? '';
    if (verb === 'EHLO') return '250-refuser.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n';
    if (verb === 'STARTTLS') return `${reply}\r\n`;
    if (verb === 'QUIT') return '221 2.0.0 Bye\r\n';
    return '530 5.7.0 Must issue a STARTTLS command first\r\n';
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('latin1');
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        commands.push(line);
        socket.write(answer(line));
        if (/^QUIT/i.test(line)) socket.end();
      }
    });
    socket.write('220 refuser.test ESMTP\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    commands,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
