import type { Provider } from '../../preload/contract/accounts.ts';
import { domainOf } from '../mail/address.ts';

interface Preset extends Provider {
  /** Address domains that identify the provider; empty when it cannot be told from the address. */
  readonly domains: readonly string[];
  /** Mail-exchanger domains that give the provider away for a custom domain (e.g. Google Workspace). */
  readonly mx: readonly string[];
}

/** `name` under each top-level domain listed (space-separated): "hotmail", "fr de" → hotmail.fr, hotmail.de. */
const under = (name: string, suffixes: string) => suffixes.split(' ').map((suffix) => `${name}.${suffix}`);

/** Outlook.com's own domains, the country variants it has handed out included. */
const OUTLOOK_COM_DOMAINS = [
  'msn.com',
  'passport.com',
  ...under(
    'outlook',
    'com at be cl co.id co.il co.th com.ar com.au com.br com.gr com.tr com.vn cz de dk es fr hu ie in it ' +
      'jp kr lv my ph pt sa sg sk',
  ),
  ...under(
    'hotmail',
    'com at be ca ch cl co.id co.il co.jp co.kr co.nz co.th co.uk co.za com.ar com.au com.br com.hk com.tr ' +
      'com.tw com.vn cz de dk es fi fr gr hu it lt lv my nl no ph rs se sg sk',
  ),
  ...under(
    'live',
    'com at be ca ch cl cn co.kr co.uk co.za com.ar com.au com.mx com.my com.ph com.pt com.sg de dk fi fr ' +
      'hk ie in it jp nl no ru se',
  ),
];

const PRESETS: readonly Preset[] = [
  {
    key: 'gmail',
    name: 'Gmail / Google Workspace',
    host: 'smtp.gmail.com',
    port: 465,
    security: 'tls',
    note:
      'Sign in with Google, or use an app password (Google Account › Security › App passwords; it needs ' +
      '2-Step Verification). Your normal Google password is refused.',
    usernameIsAddress: true,
    signIn: ['oauth2', 'app-password'],
    oauthProvider: 'google',
    domains: ['gmail.com', 'googlemail.com'],
    mx: ['google.com', 'googlemail.com'],
  },
  {
    key: 'outlook',
    name: 'Outlook.com',
    host: 'smtp-mail.outlook.com',
    port: 587,
    security: 'starttls',
    note:
      'Outlook.com, Hotmail and Live accounts send from other programs only with Sign in with Microsoft: ' +
      'a password, even an app password, is refused.',
    usernameIsAddress: true,
    signIn: ['oauth2'],
    oauthProvider: 'microsoft',
    domains: OUTLOOK_COM_DOMAINS,
    // A personal domain on Outlook.com (Microsoft 365 Family/Personal) is served from here.
    mx: ['olc.protection.outlook.com'],
  },
  {
    key: 'microsoft365',
    name: 'Microsoft 365 (work or school)',
    host: 'smtp.office365.com',
    port: 587,
    security: 'starttls',
    note:
      'Sign in with Microsoft. Authenticated SMTP must be enabled for the mailbox: if sending is refused, ' +
      'ask your Microsoft 365 admin. A password works only while your organisation still allows basic ' +
      'authentication, which Microsoft turns off by the end of 2026.',
    usernameIsAddress: true,
    signIn: ['oauth2', 'password'],
    oauthProvider: 'microsoft',
    // Microsoft 365 has no address domains of its own: its custom domains are told by their MX.
    domains: [],
    mx: ['mail.protection.outlook.com'],
  },
  {
    key: 'yahoo',
    name: 'Yahoo Mail',
    host: 'smtp.mail.yahoo.com',
    port: 465,
    security: 'tls',
    note: 'Needs an app password (Yahoo Account security › Generate app password); your normal password is refused.',
    usernameIsAddress: true,
    signIn: ['app-password'],
    domains: ['yahoo.com', 'ymail.com', 'rocketmail.com'],
    mx: ['yahoodns.net'],
  },
  {
    key: 'aol',
    name: 'AOL Mail',
    host: 'smtp.aol.com',
    port: 465,
    security: 'tls',
    note: 'Needs an app password (AOL Account security › Generate app password); your normal password is refused.',
    usernameIsAddress: true,
    signIn: ['app-password'],
    domains: ['aol.com'],
    mx: [],
  },
  {
    key: 'icloud',
    name: 'iCloud Mail',
    host: 'smtp.mail.me.com',
    port: 587,
    security: 'starttls',
    note: 'Needs an app-specific password (account.apple.com › Sign-In and Security › App-Specific Passwords; it needs two-factor authentication); your normal Apple Account password is refused.',
    usernameIsAddress: true,
    signIn: ['app-password'],
    domains: ['icloud.com', 'me.com', 'mac.com'],
    mx: ['mail.icloud.com'],
  },
  {
    key: 'fastmail',
    name: 'Fastmail',
    host: 'smtp.fastmail.com',
    port: 465,
    security: 'tls',
    note: 'Needs an app password (Settings › Privacy & Security › Manage app passwords, with SMTP access); your normal password is refused.',
    usernameIsAddress: true,
    signIn: ['app-password'],
    domains: ['fastmail.com', 'fastmail.fm'],
    mx: ['messagingengine.com'],
  },
  {
    key: 'zoho',
    name: 'Zoho Mail',
    host: 'smtp.zoho.com',
    port: 465,
    security: 'tls',
    note: 'Accounts in the EU or India use smtp.zoho.eu or smtp.zoho.in. With two-factor sign-in, use an app password.',
    usernameIsAddress: true,
    signIn: ['password', 'app-password'],
    domains: ['zoho.com', 'zohomail.com', 'zohomail.eu'],
    mx: ['zoho.com', 'zoho.eu', 'zoho.in'],
  },
  {
    key: 'gmx',
    name: 'GMX',
    host: 'mail.gmx.net',
    port: 587,
    security: 'starttls',
    note: 'Sending through other programs must be enabled in GMX settings (POP3/IMAP access).',
    usernameIsAddress: true,
    signIn: ['password'],
    domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch', 'gmx.com'],
    mx: ['gmx.net'],
  },
  {
    key: 'mailbox-org',
    name: 'mailbox.org',
    host: 'smtp.mailbox.org',
    port: 465,
    security: 'tls',
    usernameIsAddress: true,
    signIn: ['password'],
    domains: ['mailbox.org'],
    mx: ['mailbox.org'],
  },
  {
    key: 'proton-bridge',
    name: 'Proton Mail Bridge',
    host: '127.0.0.1',
    port: 1025,
    security: 'starttls',
    note:
      'Proton Mail Bridge must be running. Use the user name and password the Bridge shows (not your Proton password), ' +
      "then run the connection test and pin the Bridge's own certificate.",
    usernameIsAddress: true,
    signIn: ['password'],
    domains: ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'],
    mx: ['protonmail.ch'],
  },
  {
    key: 'custom',
    name: 'Custom',
    host: '',
    port: 587,
    security: 'starttls',
    usernameIsAddress: true,
    signIn: ['password', 'app-password', 'oauth2', 'none'],
    domains: [],
    mx: [],
  },
];

function toProvider({ domains: _domains, mx: _mx, ...provider }: Preset): Provider {
  return provider;
}

export function providerPresets(): Provider[] {
  return PRESETS.map(toProvider);
}

/** The preset for an address's domain, or null when the provider cannot be told from the address. */
export function presetFor(address: string): Provider | null {
  const domain = domainOf(address);
  const preset = PRESETS.find((candidate) => candidate.domains.includes(domain));
  return preset ? toProvider(preset) : null;
}

function servedBy(exchange: string, suffix: string): boolean {
  const host = exchange.toLowerCase().replace(/\.$/, '');
  return host === suffix || host.endsWith(`.${suffix}`);
}

/**
 * The preset whose mail exchangers these are: a custom domain's MX names the provider behind it
 * (Google Workspace, Microsoft 365). Null when none is known.
 */
export function presetForExchange(exchange: string): Provider | null {
  const preset = PRESETS.find((candidate) => candidate.mx.some((suffix) => servedBy(exchange, suffix)));
  return preset ? toProvider(preset) : null;
}

/** The preset whose server this is, for hints that depend on the provider (e.g. app passwords). */
export function presetForServer(host: string, port: number): Provider | undefined {
  const wanted = host.toLowerCase();
  const preset = PRESETS.find((candidate) => candidate.host === wanted && candidate.port === port);
  return preset ? toProvider(preset) : undefined;
}
