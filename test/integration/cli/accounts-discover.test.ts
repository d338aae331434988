import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountsDiscoverJson, accountsListJson } from '../../../main/cli/json-output.ts';
import { startCountingDns, type CountingDns } from './counting-dns.ts';
import { runCli, tempHomes } from './run-cli.ts';

const PASSWORD = 'correct horse battery staple';
/** A custom domain hosted by Microsoft 365, as its MX record says. */
const CUSTOM = 'contoso.example';
const EXCHANGE = 'contoso-example.mail.protection.outlook.com';
const VIA = `the MX record of ${CUSTOM} (${EXCHANGE})`;

let dns: CountingDns;
const newHome = tempHomes();

beforeAll(async () => {
  dns = await startCountingDns();
  dns.upstream.mx.set(CUSTOM, [EXCHANGE]);
});
afterAll(async () => {
  await dns.close();
});
beforeEach(() => {
  dns.questions.length = 0;
});

/** `outbox …` with the test DNS server as the CLI's resolver. */
async function outbox(args: readonly string[], input = '', home?: string) {
  return runCli(home ?? (await newHome()), args, input, { OUTBOX_DNS_SERVERS: dns.server });
}

async function listed(home: string) {
  const result = await runCli(home, ['accounts', 'list', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return accountsListJson.parse(JSON.parse(result.stdout)).accounts;
}

/** Every Outbox secret in the test session's real keychain, read past our code. */
function keychainItems(): string {
  return spawnSync('secret-tool', ['search', '--all', 'service', 'Outbox'], { encoding: 'utf8' }).stdout;
}

const addArgs = (from: string, ...rest: string[]) => [
  'accounts',
  'add',
  '--label',
  'Work',
  '--from',
  from,
  ...rest,
];

describe('outbox accounts discover', () => {
  it("answers a provider's address from Outbox's own table without asking DNS", async () => {
    const result = await outbox(['accounts', 'discover', 'me@fastmail.com']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain("Source:    Outbox's own provider table\n");
    expect(result.stdout).toContain('Provider:  Fastmail\n');
    expect(result.stdout).toContain(
      'Server:    smtp.fastmail.com:465 TLS, user me@fastmail.com, sign-in: app password\n',
    );
    expect(result.stdout).toContain('Note:      Needs an app password');
    expect(result.stdout).not.toContain('Check:');
    expect(dns.questions).toEqual([]);
  });

  it("finds a custom domain's server through its MX and says to check it before trusting it", async () => {
    const result = await outbox(['accounts', 'discover', `ada@${CUSTOM}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      `Address:   ada@${CUSTOM}`,
      `Source:    ${VIA}`,
      'Provider:  Microsoft 365 (work or school)',
      `Server:    smtp.office365.com:587 STARTTLS, user ada@${CUSTOM}, sign-in: OAuth2 (microsoft), password`,
    ]);
    expect(result.stdout).toMatch(
      new RegExp(
        `^Check: +smtp\\.office365\\.com is outside ${CUSTOM} and was found through DNS: .*password\\.$`,
        'm',
      ),
    );
    expect(dns.questions).toContain(`MX ${CUSTOM}`);
  });

  it('--json prints one versioned document with the source, the servers and every attempt', async () => {
    const result = await outbox(['accounts', 'discover', `ada@${CUSTOM}`, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const document = accountsDiscoverJson.parse(JSON.parse(result.stdout));
    expect(document).toMatchObject({
      version: 1,
      address: `ada@${CUSTOM}`,
      status: 'found',
      source: 'mx',
      via: VIA,
      providerName: 'Microsoft 365 (work or school)',
      presetKey: 'microsoft365',
      confirm: true,
      message: null,
      servers: [
        {
          host: 'smtp.office365.com',
          port: 587,
          security: 'starttls',
          username: `ada@${CUSTOM}`,
          signIn: ['oauth2', 'password'],
          oauthProvider: 'microsoft',
        },
      ],
    });
    // Every source tried is listed, in order (more sources may come between these two).
    const tried = document.attempts.map((a) => `${a.source} ${a.outcome}`);
    expect(tried[0]).toBe('provider nothing');
    expect(tried).toContain('mx found');
  });

  it('--verbose lists each attempt on stderr and leaves stdout as it was', async () => {
    const plain = await outbox(['accounts', 'discover', `ada@${CUSTOM}`]);
    const verbose = await outbox(['accounts', 'discover', '-v', `ada@${CUSTOM}`]);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toBe(plain.stdout);
    const lines = verbose.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`nothing  provider   ${CUSTOM} is not in Outbox's own provider table.`);
    expect(lines).toContain(
      `found    mx         The mail exchanger ${EXCHANGE} is served by smtp.office365.com:587.`,
    );
    for (const line of lines) expect(line).toMatch(/^(found|nothing|timeout|failed|skipped) +[a-z-]+ +\S/);
  });

  it('nothing found: the message on stderr, nothing on stdout, exit 69; --json says not_found', async () => {
    const result = await outbox(['accounts', 'discover', 'me@nowhere.example']);
    expect(result.code).toBe(69);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'outbox: Could not find the settings for nowhere.example; enter them by hand.\n',
    );
    expect(dns.questions).toContain('MX nowhere.example');

    const json = await outbox(['accounts', 'discover', '--json', 'me@nowhere.example']);
    expect(json.code).toBe(69);
    expect(accountsDiscoverJson.parse(JSON.parse(json.stdout))).toMatchObject({
      status: 'not_found',
      source: null,
      servers: [],
      confirm: false,
      message: 'Could not find the settings for nowhere.example; enter them by hand.',
    });
  });

  it('an invalid address: 65 invalid_address on one line, and no DNS question', async () => {
    const result = await outbox(['accounts', 'discover', 'ada at contoso']);
    expect(result.code).toBe(65);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^outbox: "ada at contoso" is not an e-mail address[^\n]*\n$/);
    expect(dns.questions).toEqual([]);
  });

  it('--help describes it, "accounts --help" lists it, and no address is a usage error', async () => {
    const help = await outbox(['accounts', 'discover', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: outbox accounts discover ADDRESS/);
    expect((await outbox(['accounts', '--help'])).stdout).toMatch(/^ {2}discover ADDRESS/m);
    const missing = await outbox(['accounts', 'discover']);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('ADDRESS');
  });

  it('a bad OUTBOX_DNS_SERVERS is a usage error (64) naming the variable', async () => {
    const result = await runCli(await newHome(), ['accounts', 'discover', `ada@${CUSTOM}`], '', {
      OUTBOX_DNS_SERVERS: `${dns.server},dns.example`,
    });
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(
      /^outbox: OUTBOX_DNS_SERVERS: "dns\.example" is not an IP address[^\n]*\n$/,
    );
    expect(dns.questions).toEqual([]);
  });
});

/** A server given by hand, inside the custom domain. */
const GIVEN_SERVER = ['--host', 'smtp.contoso.example', '--port', '587', '--security', 'starttls'];

describe('outbox accounts add --from without --host', () => {
  it("takes a provider's settings from Outbox's table, says so on stderr, and asks DNS nothing", async () => {
    const home = await newHome();
    const result = await outbox(addArgs('me@fastmail.com', '--no-password'), '', home);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      "Settings for me@fastmail.com from Outbox's own provider table: smtp.fastmail.com:465 TLS\n",
    );
    expect(await listed(home)).toEqual([
      expect.objectContaining({
        host: 'smtp.fastmail.com',
        port: 465,
        security: 'tls',
        username: 'me@fastmail.com',
      }),
    ]);
    expect(dns.questions).toEqual([]);
  });

  it('refuses a server outside the domain found through MX (78), before reading the password or saving', async () => {
    const home = await newHome();
    const keychainBefore = keychainItems();
    const result = await outbox(addArgs(`ada@${CUSTOM}`, '--password-stdin'), `${PASSWORD}\n`, home);
    expect(await listed(home)).toEqual([]);
    expect(keychainItems()).toBe(keychainBefore);
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `outbox: smtp.office365.com:587 STARTTLS was found through ${VIA}, outside ${CUSTOM}: ` +
        "if it is your provider's server, add --trust-found-server; otherwise give --host, --port and --security\n",
    );
  });

  it('--trust-found-server takes the found host, port, security and user name, and a password, not OAuth2', async () => {
    const home = await newHome();
    const result = await outbox(
      addArgs(`ada@${CUSTOM}`, '--password-stdin', '--trust-found-server'),
      `${PASSWORD}\n`,
      home,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`Settings for ada@${CUSTOM} from ${VIA}: smtp.office365.com:587 STARTTLS\n`);
    const id = result.stdout.trim();
    expect(await listed(home)).toEqual([
      expect.objectContaining({
        id,
        host: 'smtp.office365.com',
        port: 587,
        security: 'starttls',
        username: `ada@${CUSTOM}`,
        auth: 'password',
        hasPassword: true,
        oauth: null,
      }),
    ]);
    expect(keychainItems()).toContain(`secret = ${PASSWORD}`);
  });

  it('--user, --port and --security still override what was found', async () => {
    const home = await newHome();
    const result = await outbox(
      addArgs(
        `ada@${CUSTOM}`,
        '--no-password',
        '--trust-found-server',
        '--user',
        'ada',
        '--port',
        '465',
        '--security',
        'tls',
      ),
      '',
      home,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`Settings for ada@${CUSTOM} from ${VIA}: smtp.office365.com:465 TLS\n`);
    expect(await listed(home)).toEqual([
      expect.objectContaining({ host: 'smtp.office365.com', port: 465, security: 'tls', username: 'ada' }),
    ]);
  });

  it('nothing found: 64 with "enter them by hand" and the options to give; nothing saved', async () => {
    const home = await newHome();
    const result = await outbox(addArgs('me@nowhere.example', '--no-password'), '', home);
    expect(result.code).toBe(64);
    expect(result.stderr).toBe(
      'outbox: Could not find the settings for nowhere.example; enter them by hand: give --host, --port and --security\n',
    );
    expect(await listed(home)).toEqual([]);
  });

  it('an invalid --from: 65 invalid_address, no DNS question, nothing saved', async () => {
    const home = await newHome();
    const result = await outbox(addArgs('ada at contoso', '--no-password'), '', home);
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/^outbox: "ada at contoso" is not an e-mail address[^\n]*\n$/);
    expect(dns.questions).toEqual([]);
    expect(await listed(home)).toEqual([]);
  });

  it('with --host there is no lookup: no DNS question, even for a domain with an MX record', async () => {
    const home = await newHome();
    const result = await outbox(addArgs(`ada@${CUSTOM}`, ...GIVEN_SERVER, '--no-password'), '', home);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(await listed(home)).toEqual([
      expect.objectContaining({ host: 'smtp.contoso.example', port: 587 }),
    ]);
    expect(dns.questions).toEqual([]);
  });

  it('--trust-found-server with --host is a usage error', async () => {
    const result = await outbox(addArgs(`ada@${CUSTOM}`, ...GIVEN_SERVER, '--trust-found-server'));
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--trust-found-server');
  });
});
