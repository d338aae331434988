import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DiscoveredServer } from '../../../preload/contract/discovery.ts';
import { ISPDB_FORMAT, ispdbDocument, ispdbFile, loadIspdb } from '../../../main/discovery/ispdb.ts';
import { serversFor } from '../../../main/discovery/outgoing-server.ts';
import { providerServing } from '../../../main/oauth/oauth-providers.ts';

const REPO = path.join(import.meta.dirname, '..', '..', '..');
const BUNDLED = path.join(REPO, 'build', 'ispdb', 'ispdb.json');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ispdb-'));
  dirs.push(dir);
  const name = path.join(dir, 'ispdb.json');
  await writeFile(name, text);
  return name;
}

describe('the bundled ISPDB', () => {
  const ispdb = loadIspdb(BUNDLED);
  /** What the bundled data offers an address, as the lookup would give it. */
  const servers = (address: string) => {
    const config = ispdb.byDomain(address.slice(address.indexOf('@') + 1));
    return config === undefined ? undefined : serversFor(config.outgoing, address, providerServing);
  };

  it('is where ispdbFile says, and loads', () => {
    expect(ispdbFile()).toBe(BUNDLED);
    expect(ispdb.domainCount).toBeGreaterThan(900);
  });

  it.each<[string, DiscoveredServer[]]>([
    [
      'jane@gmx.net',
      [
        { host: 'mail.gmx.net', port: 465, security: 'tls', username: 'jane@gmx.net', signIn: ['password'] },
        {
          host: 'mail.gmx.net',
          port: 587,
          security: 'starttls',
          username: 'jane@gmx.net',
          signIn: ['password'],
        },
      ],
    ],
    [
      'jane@web.de',
      [
        { host: 'smtp.web.de', port: 465, security: 'tls', username: 'jane', signIn: ['password'] },
        { host: 'smtp.web.de', port: 587, security: 'starttls', username: 'jane', signIn: ['password'] },
      ],
    ],
    // Yahoo signs in with OAuth2 too, but it is not in Outbox's provider table: password only.
    [
      'jane@yahoo.com',
      [
        {
          host: 'smtp.mail.yahoo.com',
          port: 465,
          security: 'tls',
          username: 'jane@yahoo.com',
          signIn: ['password'],
        },
      ],
    ],
    ...['outlook.com', 'hotmail.com'].map((domain): [string, DiscoveredServer[]] => [
      `jane@${domain}`,
      [
        {
          host: 'smtp-mail.outlook.com',
          port: 587,
          security: 'starttls',
          username: `jane@${domain}`,
          signIn: ['oauth2'],
          oauthProvider: 'microsoft',
        },
      ],
    ]),
    ...['gmail.com', 'googlemail.com'].map((domain): [string, DiscoveredServer[]] => [
      `jane@${domain}`,
      [
        {
          host: 'smtp.gmail.com',
          port: 465,
          security: 'tls',
          username: `jane@${domain}`,
          signIn: ['oauth2', 'password'],
          oauthProvider: 'google',
        },
      ],
    ]),
    // A hostname template: mail.ee's server is the address's domain itself.
    [
      'jane@mail.ee',
      [{ host: 'mail.ee', port: 465, security: 'tls', username: 'jane@mail.ee', signIn: ['password'] }],
    ],
  ])('%s', (address, expected) => {
    expect(servers(address)).toEqual(expected);
  });

  it('knows the MX domains of Microsoft 365 and Google Workspace', () => {
    expect(ispdb.byDomain('mail.protection.outlook.com')?.outgoing[0]?.hostname).toBe('smtp.office365.com');
    expect(ispdb.byDomain('google.com')?.outgoing[0]?.hostname).toBe('smtp.gmail.com');
  });

  it('matches a domain exactly, in any case, with or without the root dot', () => {
    expect(ispdb.byDomain('GMX.Net')?.id).toBe('gmx.net');
    expect(ispdb.byDomain('gmx.net.')?.id).toBe('gmx.net');
    expect(ispdb.byDomain('sub.gmx.net')).toBeUndefined();
    expect(ispdb.byDomain('example.com')).toBeUndefined();
  });

  it('names its upstream, the commit it was made from and its licence', () => {
    const document = ispdbDocument.parse(JSON.parse(readFileSync(BUNDLED, 'utf8')));
    expect(document).toMatchObject({
      format: ISPDB_FORMAT,
      source: 'https://github.com/thunderbird/autoconfig',
      licence: 'MPL-2.0',
    });
    expect(document.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  it('ships with the MPL-2.0 text and its notice, in the packaged app too', () => {
    const licence = readFileSync(path.join(REPO, 'build', 'ispdb', 'LICENSE'), 'utf8');
    expect(licence.startsWith('Mozilla Public License Version 2.0\n')).toBe(true);
    expect(licence).toContain('Exhibit A - Source Code Form License Notice');
    expect(readFileSync(path.join(REPO, 'build', 'ispdb', 'README.md'), 'utf8')).toContain(
      'Mozilla Public License 2.0',
    );
    // electron-builder.yml's extraResources: the folder, with all three files.
    const builder = readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8');
    const extraResources = /^extraResources:\n((?:[ #].*\n)+)/m.exec(builder)?.[1] ?? '';
    expect(extraResources).toMatch(
      /- from: build\/ispdb\n\s+to: ispdb\n\s+filter: \[ispdb\.json, LICENSE, README\.md\]\n/,
    );
  });
});

describe('loadIspdb', () => {
  const minimal = {
    format: 1,
    source: 'https://github.com/thunderbird/autoconfig',
    commit: null,
    licence: 'MPL-2.0',
    providers: [
      {
        id: 'example.com',
        domains: ['example.com', 'Example.ORG'],
        outgoing: [
          {
            hostname: 'smtp.example.com',
            port: 587,
            socketType: 'STARTTLS',
            username: '%EMAILADDRESS%',
            authentication: ['password-cleartext'],
          },
        ],
      },
    ],
  };

  it('reads a file of this format; a missing file is an empty database', async () => {
    const ispdb = loadIspdb(await file(JSON.stringify(minimal)));
    expect(ispdb.byDomain('example.org')).toEqual({
      id: 'example.com',
      domains: ['example.com', 'Example.ORG'],
      outgoing: minimal.providers[0]?.outgoing,
    });
    const none = loadIspdb(path.join(tmpdir(), 'no-such-dir-ispdb', 'ispdb.json'));
    expect(none.domainCount).toBe(0);
    expect(none.byDomain('gmx.net')).toBeUndefined();
  });

  it('refuses a newer format, saying so', async () => {
    const newer = await file(JSON.stringify({ ...minimal, format: 2, providers: 'another shape' }));
    expect(() => loadIspdb(newer)).toThrow(
      expect.objectContaining({
        code: 'autoconfig_invalid',
        message: `${newer} is in ISP database format 2, newer than this Outbox reads (1).`,
      }),
    );
  });

  it.each([
    ['not JSON', 'not json'],
    [
      'a port out of range',
      JSON.stringify({
        ...minimal,
        providers: [
          { ...minimal.providers[0], outgoing: [{ ...minimal.providers[0]?.outgoing[0], port: 0 }] },
        ],
      }),
    ],
    ['another licence', JSON.stringify({ ...minimal, licence: 'GPL-3.0' })],
    ['no format', JSON.stringify({ ...minimal, format: undefined })],
  ])('refuses %s', async (_name, text) => {
    const damaged = await file(text);
    expect(() => loadIspdb(damaged)).toThrow(
      expect.objectContaining({
        code: 'autoconfig_invalid',
        message: `${damaged} is not a valid ISP database (build/ispdb/README.md says how to regenerate it).`,
      }),
    );
  });
});

describe('ispdbFile', () => {
  it("is in the packaged app's resources when given them", () => {
    expect(ispdbFile('/opt/Outbox/resources')).toBe(
      path.join('/opt/Outbox/resources', 'ispdb', 'ispdb.json'),
    );
    expect(existsSync(ispdbFile())).toBe(true);
  });
});
