import dns2 from 'dns2';

/** One SRV record (RFC 2782); a target of "." says the service is not offered. */
export interface SrvRecord {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: string;
}

export interface DnsTestServer {
  /** `127.0.0.1:<port>`, for `Resolver.setServers`. */
  readonly server: string;
  /** TXT records by name; edit it while the server runs. Names in no map answer NXDOMAIN. */
  readonly txt: Map<string, string[]>;
  /** MX exchanges by name, in priority order. */
  readonly mx: Map<string, string[]>;
  /** SRV records by name (`_submissions._tcp.example.org`). */
  readonly srv: Map<string, SrvRecord[]>;
  /** Questions asked, as `TYPE name` (`SRV _submission._tcp.example.org`). */
  readonly questions: string[];
  /** When true, the server reads every question and never answers (a DNS server gone silent). */
  silent: boolean;
  close(): Promise<void>;
}

// RFC 1035 §4.1.1 (dns2's typings lack its RCODE table).
const NXDOMAIN = 3;

/** RFC 1035 §3.3: one character-string holds at most 255 octets; longer records are split. */
function characterStrings(record: string): string[] {
  return record.match(/[\s\S]{1,255}/g) ?? [''];
}

/**
 * RFC 2782: an SRV target is never compressed, and c-ares refuses one that is (EBADRESP); dns2
 * compresses every name it writes unless its writer's name table is something other than a Map.
 */
function uncompressed(response: InstanceType<typeof dns2.Packet>): void {
  const encode = response.toBuffer.bind(response) as (writer: unknown) => Buffer;
  Object.assign(response, {
    toBuffer: () => encode(Object.assign(new dns2.Packet.Writer(), { names: 'off' })),
  });
}

const typeName = (type: number) =>
  Object.entries(dns2.Packet.TYPE).find(([, value]) => value === type)?.[0] ?? String(type);

/** A UDP DNS server on 127.0.0.1, port 0, answering TXT, MX and SRV queries from maps. */
export async function startDnsTestServer(): Promise<DnsTestServer> {
  const txt = new Map<string, string[]>();
  const mx = new Map<string, string[]>();
  const srv = new Map<string, SrvRecord[]>();
  const questions: string[] = [];
  const state = { silent: false };
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = dns2.Packet.createResponseFromRequest(request);
      const question = request.questions[0];
      const name = question?.name.toLowerCase() ?? '';
      if (question) questions.push(`${typeName(question.type)} ${name}`);
      if (state.silent) return;
      if (!question || (!txt.has(name) && !mx.has(name) && !srv.has(name))) {
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
      } else if (question.type === dns2.Packet.TYPE.SRV) {
        for (const record of srv.get(name) ?? []) {
          response.answers.push(dns2.Packet.createResourceFromQuestion(question, { ttl: 1, ...record }));
        }
        uncompressed(response);
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  if (!addresses.udp) throw new Error('The DNS test server did not start.');
  return {
    server: `127.0.0.1:${addresses.udp.port}`,
    txt,
    mx,
    srv,
    questions,
    get silent() {
      return state.silent;
    },
    set silent(value: boolean) {
      state.silent = value;
    },
    close: () => server.close(),
  };
}
