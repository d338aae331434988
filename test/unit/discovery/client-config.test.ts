import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_CLIENT_CONFIG_BYTES, parseClientConfig } from '../../../main/discovery/client-config.ts';
import { AppError } from '../../../main/errors/app-error.ts';

const upstream = (name: string) =>
  readFileSync(path.join(import.meta.dirname, '..', '..', 'fixtures', 'autoconfig', 'ispdb', name), 'utf8');

/** A configuration with these `outgoingServer` bodies (one per item). */
function config(...servers: string[]): string {
  const outgoing = servers.map((body) => `<outgoingServer type="smtp">${body}</outgoingServer>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <displayName>Example Mail</displayName>
    ${outgoing}
  </emailProvider>
</clientConfig>`;
}

const server = (
  fields: { host?: string; port?: string; socket?: string; user?: string; auth?: string } = {},
) =>
  [
    `<hostname>${fields.host ?? 'smtp.example.com'}</hostname>`,
    `<port>${fields.port ?? '465'}</port>`,
    `<socketType>${fields.socket ?? 'SSL'}</socketType>`,
    `<username>${fields.user ?? '%EMAILADDRESS%'}</username>`,
    `<authentication>${fields.auth ?? 'password-cleartext'}</authentication>`,
  ].join('');

/** The AppError parseClientConfig throws for this text. */
function refusal(xml: string): AppError {
  try {
    parseClientConfig(xml);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseClientConfig on upstream files', () => {
  it('reads one SMTP server, skipping the incoming ones', () => {
    expect(parseClientConfig(upstream('126.com.xml'))).toEqual({
      id: '126.com',
      displayName: '126.com',
      domains: ['126.com'],
      outgoing: [
        {
          hostname: 'smtp.126.com',
          port: 465,
          socketType: 'SSL',
          username: '%EMAILADDRESS%',
          authentication: ['password-cleartext'],
        },
      ],
    });
  });

  it('keeps the servers in document order and every domain', () => {
    const o2 = parseClientConfig(upstream('o2.pl.xml'));
    expect(o2.domains).toEqual(['o2.pl', 'go2.pl', 'tlen.pl', 'prokonto.pl']);
    expect(o2.outgoing.map((s) => [s.hostname, s.port, s.socketType, s.username])).toEqual([
      ['poczta.o2.pl', 465, 'SSL', '%EMAILLOCALPART%'],
      ['poczta.o2.pl', 587, 'STARTTLS', '%EMAILLOCALPART%'],
    ]);
  });

  it('keeps a %EMAILDOMAIN% hostname as a template and leaves out a placeholder as a name', () => {
    const mailEe = parseClientConfig(upstream('mail.ee.xml'));
    expect(mailEe.outgoing[0]?.hostname).toBe('%EMAILDOMAIN%');
    expect(mailEe.displayName).toBeUndefined();
  });
});

describe('parseClientConfig on what a server may send', () => {
  it('decodes the predefined entities and character references, once', () => {
    const xml = config(server()).replace('Example Mail', 'AT&amp;T &#x26;amp; &#77;ail');
    expect(parseClientConfig(xml).displayName).toBe('AT&T &amp; Mail');
  });

  it('reads several authentication methods in order and lower-cases the host', () => {
    const xml = config(
      server({ host: 'SMTP.Example.COM', auth: 'OAuth2</authentication><authentication>password-cleartext' }),
    );
    expect(parseClientConfig(xml).outgoing).toEqual([
      {
        hostname: 'smtp.example.com',
        port: 465,
        socketType: 'SSL',
        username: '%EMAILADDRESS%',
        authentication: ['OAuth2', 'password-cleartext'],
      },
    ]);
  });

  it('keeps a server without a username, with "" for it', () => {
    const xml = config(
      '<hostname>smtp.example.com</hostname><port>465</port><socketType>SSL</socketType><authentication>password-cleartext</authentication>',
    );
    expect(parseClientConfig(xml).outgoing[0]?.username).toBe('');
  });

  it('drops a server with an unusable field and keeps the others', () => {
    const xml = config(
      server({ port: '99999' }),
      server({ host: 'smtp.exa mple.com' }),
      server({ socket: 'TLS' }),
      server({ port: '587', socket: 'STARTTLS' }),
    );
    expect(parseClientConfig(xml).outgoing.map((s) => s.port)).toEqual([587]);
  });

  it('ignores servers of other types and drops domains that are not host names', () => {
    const xml = config(server())
      .replace('<domain>example.com</domain>', '<domain>Example.COM</domain><domain>not a domain</domain>')
      .replace(
        '<outgoingServer type="smtp">',
        '<outgoingServer type="ews"><hostname>x.example.com</hostname></outgoingServer><outgoingServer type="smtp">',
      );
    const parsed = parseClientConfig(xml);
    expect(parsed.domains).toEqual(['example.com']);
    expect(parsed.outgoing).toHaveLength(1);
  });
});

describe('parseClientConfig refuses, with autoconfig_invalid and a sentence saying why', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
${config(server({ host: '&lol9;' }))}`;
  const externalEntity = `<?xml version="1.0"?>
<!DOCTYPE clientConfig [<!ENTITY x SYSTEM "file:///etc/passwd">]>
${config(server({ user: '&x;' }))}`;
  const huge = config(server()).replace(
    '</emailProvider>',
    `<!--${'x'.repeat(MAX_CLIENT_CONFIG_BYTES)}--></emailProvider>`,
  );

  it.each([
    ['a text over the size limit', huge, /larger than 100 KB/],
    [
      'one just over the limit in UTF-8 bytes, not characters',
      config(server()).replace('Example Mail', 'é'.repeat(MAX_CLIENT_CONFIG_BYTES / 2)),
      /larger than 100 KB/,
    ],
    ['the billion laughs', billionLaughs, /declares a DOCTYPE/],
    ['an external entity', externalEntity, /declares a DOCTYPE/],
    ['a DOCTYPE without entities', `<!DOCTYPE clientConfig>${config(server())}`, /declares a DOCTYPE/],
    [
      'a DOCTYPE after a comment and a BOM',
      `\ufeff<?xml version="1.0"?><!-- hi --><!DOCTYPE x [<!ENTITY a "b">]>${config(server())}`,
      /declares a DOCTYPE/,
    ],
    [
      'a DOCTYPE inside the root',
      config(server()).replace('<emailProvider', '<!DOCTYPE x [<!ENTITY a "b">]><emailProvider'),
      /declares a DOCTYPE/,
    ],
    [
      'an ENTITY declaration inside an element',
      config(server()).replace('<emailProvider', '<!ENTITY a "b"><emailProvider'),
      /markup declaration <!ENTITY>/,
    ],
    ['an undeclared entity', config(server({ host: '&xxe;' })), /undeclared entity "&xxe;"/],
    [
      'the wrong root element',
      '<?xml version="1.0"?><html><body>Not found</body></html>',
      /root element is <html>, not <clientConfig>/,
    ],
    [
      'two root elements',
      `${config(server())}<clientConfig/>`.replace('<?xml version="1.0" encoding="UTF-8"?>', ''),
      /more than one root element/,
    ],
    ['text that is not XML', '{"hostname": "smtp.example.com"}', /not well-formed XML/],
    ['an empty text', '', /not well-formed XML/],
    ['a truncated file', config(server()).slice(0, 200), /not well-formed XML/],
    [
      'tags nested without end',
      `<clientConfig>${'<a>'.repeat(10_000)}</clientConfig>`,
      /not well-formed XML/,
    ],
    ['no emailProvider', '<clientConfig version="1.1"></clientConfig>', /has no <emailProvider>/],
    [
      'no SMTP server',
      config().replace(
        '</emailProvider>',
        '<incomingServer type="imap"><hostname>imap.example.com</hostname></incomingServer></emailProvider>',
      ),
      /has no outgoing \(SMTP\) server/,
    ],
    [
      'a port out of range',
      config(server({ port: '0' })),
      /server 1: port "0" is not a number from 1 to 65535/,
    ],
    ['a port that is no number', config(server({ port: '46five' })), /port "46five" is not a number/],
    [
      'a hostname with a line break, as character references',
      config(server({ host: 'smtp.example.com&#13;&#10;RCPT TO:evil' })),
      /hostname "smtp.example.com\\r\\nRCPT TO:evil" is not a host name/,
    ],
    [
      'a hostname with a line break in it',
      config(server({ host: 'smtp.exam\r\nple.com' })),
      // XML 1.0 §2.11: a parser reads a literal CR LF as LF.
      /hostname "smtp.exam\\nple.com" is not a host name/,
    ],
    [
      'a hostname with a space',
      config(server({ host: 'smtp example.com' })),
      /hostname "smtp example.com" is not a host name/,
    ],
    [
      'a hostname with another placeholder',
      config(server({ host: 'smtp.%EMAILLOCALPART%.example.com' })),
      /is not a host name/,
    ],
    [
      'an unknown socketType',
      config(server({ socket: 'TLS' })),
      /socketType "TLS" is not SSL, STARTTLS or plain/,
    ],
    [
      'a username with a line break',
      config(server({ user: 'a&#10;b' })),
      /username "a\\nb" has a control character/,
    ],
    ['no authentication', config(server({ auth: '' })), /no authentication method/],
    ['a field given twice', config(server() + '<port>587</port>'), /<port> is given more than once/],
  ])('%s', (_name, xml, message) => {
    const error = refusal(xml);
    expect(error.code).toBe('autoconfig_invalid');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/^The mail server settings file .*\.$/);
  });

  it('says why each server was dropped when none is left', () => {
    const error = refusal(config(server({ port: '70000' }), server({ socket: 'ssl' })));
    expect(error.message).toBe(
      'The mail server settings file has no usable outgoing (SMTP) server: server 1: port "70000" is not a number from 1 to 65535; server 2: socketType "ssl" is not SSL, STARTTLS or plain.',
    );
  });

  it('keeps quoted input short in its message', () => {
    const error = refusal(config(server({ host: `${'a'.repeat(5000)} b` })));
    expect(error.message.length).toBeLessThan(300);
  });
});
