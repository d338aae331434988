import dns2 from 'dns2';

export interface DnsTestServer {
  /** `127.0.0.1:<port>`, for `Resolver.setServers`. */
  readonly server: string;
  /** TXT records by name; edit it while the server runs. Names in neither map answer NXDOMAIN. */
  readonly txt: Map<string, string[]>;
  /** MX exchanges by name, in priority order. */
  readonly mx: Map<string, string[]>;
  close(): Promise<void>;
}

// RFC 1035 §4.1.1 (dns2's typings lack its RCODE table).
const NXDOMAIN = 3;

/** RFC 1035 §3.3: one character-string holds at most 255 octets; longer records are split. */
function characterStrings(record: string): string[] {
  return record.match(/[\s\S]{1,255}/g) ?? [''];
}

/** A UDP DNS server on 127.0.0.1, port 0, answering TXT and MX queries from maps. */
export async function startDnsTestServer(): Promise<DnsTestServer> {
  const txt = new Map<string, string[]>();
  const mx = new Map<string, string[]>();
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = question?.name.toLowerCase() ?? '';
      if (!question || (!txt.has(name) && !mx.has(name))) {
        response.header.rcode = NXDOMAIN;
      } else if (question.type === dns2.Packet.TYPE.TXT) {
        for (const record of txt.get(name) ?? []) {
          response.answers.push(
            dns2.Packet.createResourceFromQuestion(question, { ttl: 1, data: characterStrings(record) }),
          );
        }
      } else if (question.type === dns2.Packet.TYPE.MX) {
        (mx.get(name) ?? []).forEach((exchange, index) => {
          response.answers.push(
            dns2.Packet.createResourceFromQuestion(question, {
              ttl: 1,
              exchange,
              priority: (index + 1) * 10,
            }),
          );
        });
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  if (!addresses.udp) throw new Error('The DNS test server did not start.');
  return { server: `127.0.0.1:${addresses.udp.port}`, txt, mx, close: () => server.close() };
}
