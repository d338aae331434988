import { describe, expect, it } from 'vitest';
import type { OutgoingServerEntry } from '../../../main/discovery/discovery-ports.ts';
import { fillPlaceholders, serversFor } from '../../../main/discovery/outgoing-server.ts';
import { providerServing } from '../../../main/oauth/oauth-providers.ts';

const entry = (fields: Partial<OutgoingServerEntry> = {}): OutgoingServerEntry => ({
  hostname: 'smtp.example.com',
  port: 465,
  socketType: 'SSL',
  username: '%EMAILADDRESS%',
  authentication: ['password-cleartext'],
  ...fields,
});

const ADDRESS = 'jane.doe@example.com';
const fields = { address: ADDRESS, local: 'jane.doe', domain: 'example.com' };

describe('fillPlaceholders', () => {
  it.each([
    ['%EMAILADDRESS%', 'jane.doe@example.com'],
    ['%EMAILLOCALPART%', 'jane.doe'],
    ['%EMAILDOMAIN%', 'example.com'],
    ['%EMAILLOCALPART%.%EMAILDOMAIN%', 'jane.doe.example.com'],
    ['mail.%EMAILDOMAIN%', 'mail.example.com'],
    // Upstream's Microsoft 365 file spells it without the closing %, and Thunderbird reads it so.
    ['%EMAILADDRESS', 'jane.doe@example.com'],
    ['fixed-user', 'fixed-user'],
    ['', ''],
    ['%REALNAME%', undefined],
    ['%EMAILADRESS%', undefined],
    ['%emailaddress%', undefined],
    ['100%', undefined],
  ])('%j → %j', (template, filled) => {
    expect(fillPlaceholders(template, fields)).toBe(filled);
  });

  it('leaves a % in the address alone: only the template is checked', () => {
    expect(fillPlaceholders('%EMAILADDRESS%', { ...fields, address: 'a%b@example.com' })).toBe(
      'a%b@example.com',
    );
  });
});

describe('serversFor', () => {
  it.each<[string, OutgoingServerEntry[], ReturnType<typeof serversFor>]>([
    [
      'fills the user name and maps SSL to tls',
      [entry()],
      [{ host: 'smtp.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] }],
    ],
    [
      'maps STARTTLS to starttls and the local-part user name',
      [entry({ port: 587, socketType: 'STARTTLS', username: '%EMAILLOCALPART%' })],
      [
        {
          host: 'smtp.example.com',
          port: 587,
          security: 'starttls',
          username: 'jane.doe',
          signIn: ['password'],
        },
      ],
    ],
    [
      'fills a %EMAILDOMAIN% host',
      [entry({ hostname: 'mail.%EMAILDOMAIN%' })],
      [{ host: 'mail.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] }],
    ],
    [
      'reads the broken %EMAILADDRESS spelling',
      [entry({ username: '%EMAILADDRESS' })],
      [{ host: 'smtp.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] }],
    ],
    ['drops an entry with an unknown placeholder', [entry({ username: '%EMAILADRESS%' })], []],
    [
      'takes the address when no user name is given',
      [entry({ username: '' })],
      [{ host: 'smtp.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] }],
    ],
    [
      'maps both password methods, and their old names, to one password',
      [entry({ authentication: ['password-encrypted', 'password-cleartext', 'secure', 'plain'] })],
      [{ host: 'smtp.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] }],
    ],
    [
      'offers no sign-in for none and client-IP-address, without a user name',
      [
        entry({ authentication: ['client-IP-address'] }),
        entry({ port: 587, socketType: 'STARTTLS', authentication: ['none'] }),
      ],
      [
        { host: 'smtp.example.com', port: 465, security: 'tls', username: '', signIn: ['none'] },
        { host: 'smtp.example.com', port: 587, security: 'starttls', username: '', signIn: ['none'] },
      ],
    ],
    [
      'drops methods Outbox does not have, and an entry left with none',
      [
        entry({ authentication: ['NTLM', 'password-cleartext'] }),
        entry({ port: 587, authentication: ['GSSAPI', 'TLS-client-cert', 'smtp-after-pop', 'constructor'] }),
      ],
      [{ host: 'smtp.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] }],
    ],
    [
      'offers OAuth2 for a host in the provider table, with its provider',
      [entry({ hostname: 'smtp.gmail.com', authentication: ['OAuth2', 'password-cleartext'] })],
      [
        {
          host: 'smtp.gmail.com',
          port: 465,
          security: 'tls',
          username: ADDRESS,
          signIn: ['oauth2', 'password'],
          oauthProvider: 'google',
        },
      ],
    ],
    [
      'never offers OAuth2 for another host',
      [entry({ authentication: ['OAuth2', 'password-cleartext'] })],
      [{ host: 'smtp.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] }],
    ],
    ['drops an OAuth2-only entry for another host', [entry({ authentication: ['OAuth2'] })], []],
    [
      'puts encrypted entries first, in their order, and drops the plain one',
      [
        entry({ port: 587, socketType: 'plain' }),
        entry({ port: 587, socketType: 'STARTTLS' }),
        entry({ port: 465, socketType: 'SSL' }),
      ],
      [
        {
          host: 'smtp.example.com',
          port: 587,
          security: 'starttls',
          username: ADDRESS,
          signIn: ['password'],
        },
        { host: 'smtp.example.com', port: 465, security: 'tls', username: ADDRESS, signIn: ['password'] },
      ],
    ],
    [
      'keeps a plain entry when nothing encrypted is left',
      [entry({ port: 587, socketType: 'plain' }), entry({ authentication: ['NTLM'] })],
      [{ host: 'smtp.example.com', port: 587, security: 'none', username: ADDRESS, signIn: ['password'] }],
    ],
    [
      'never offers port 25, plain or not',
      [entry({ port: 25, socketType: 'plain' }), entry({ port: 25, socketType: 'STARTTLS' })],
      [],
    ],
    [
      'skips port 25 and keeps the rest',
      [entry({ port: 25, socketType: 'STARTTLS' }), entry({ port: 587, socketType: 'plain' })],
      [{ host: 'smtp.example.com', port: 587, security: 'none', username: ADDRESS, signIn: ['password'] }],
    ],
    ['fills in only the domain in a host', [entry({ hostname: '%EMAILLOCALPART%.example.com' })], []],
  ])('%s', (_name, entries, expected) => {
    expect(serversFor(entries, ADDRESS, providerServing)).toEqual(expected);
  });

  it('gives nothing for a text that is not an address', () => {
    expect(serversFor([entry()], 'not an address', providerServing)).toEqual([]);
  });

  it('fills in an internationalised domain as IDNA for the host', () => {
    const [server] = serversFor(
      [entry({ hostname: 'mail.%EMAILDOMAIN%' })],
      'jörg@bücher.example',
      providerServing,
    );
    expect(server?.host).toBe('mail.xn--bcher-kva.example');
    expect(server?.username).toBe('jörg@bücher.example');
  });
});
