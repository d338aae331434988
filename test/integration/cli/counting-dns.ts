import dgram from 'node:dgram';
import dns2 from 'dns2';
import { startDnsTestServer, type DnsTestServer } from '../../support/dns-test-server.ts';

export interface CountingDns {
  /** `127.0.0.1:<port>` of the relay, for OUTBOX_DNS_SERVERS. */
  readonly server: string;
  /** Every question that reached the relay, as "MX contoso.example", in order. */
  readonly questions: string[];
  /** The DNS test server behind the relay: its maps say what is answered. */
  readonly upstream: DnsTestServer;
  close(): Promise<void>;
}

/** dns2's numbers of the record types these tests meet, for readable questions. */
const TYPE_NAMES = new Map<number, string>(
  Object.entries(dns2.Packet.TYPE).map(([name, value]) => [value as number, name]),
);

function questionsOf(message: Buffer): string[] {
  return dns2.Packet.parse(message).questions.map(
    (q) => `${TYPE_NAMES.get(q.type) ?? String(q.type)} ${q.name.toLowerCase()}`,
  );
}

/**
 * The test DNS server behind a UDP relay that writes down each question: a test can say that a
 * command asked DNS nothing, not merely that it got no answer.
 */
export async function startCountingDns(): Promise<CountingDns> {
  const upstream = await startDnsTestServer();
  const [upstreamHost = '', upstreamPort = ''] = upstream.server.split(':');
  const relay = dgram.createSocket('udp4');
  const questions: string[] = [];
  relay.on('message', (message, client) => {
    questions.push(...questionsOf(message));
    const forward = dgram.createSocket('udp4');
    forward.once('message', (answer) => {
      relay.send(answer, client.port, client.address, () => {
        forward.close();
      });
    });
    forward.send(message, Number(upstreamPort), upstreamHost);
  });
  await new Promise<void>((resolve) => relay.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${relay.address().port}`,
    questions,
    upstream,
    close: async () => {
      await new Promise<void>((resolve) => {
        relay.close(resolve);
      });
      await upstream.close();
    },
  };
}
