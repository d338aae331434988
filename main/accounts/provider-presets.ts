import type { Provider } from '../../preload/contract/accounts.ts';
import { domainOf } from './account-validation.ts';

interface Preset extends Provider {
  /** Address domains that identify the provider; empty when it cannot be told from the address. */
  readonly domains: readonly string[];
}

const PRESETS: readonly Preset[] = [
  {
    key: 'gmail',
    name: 'Gmail / Google Workspace',
    host: 'smtp.gmail.com',
    port: 465,
    security: 'tls',
    note: 'Needs an app password (Google Account › Security › App passwords); your normal password is refused.',
    usernameIsAddress: true,
    domains: ['gmail.com', 'googlemail.com'],
  },
  {
    key: 'outlook',
    name: 'Outlook.com / Microsoft 365',
    host: 'smtp.office365.com',
    port: 587,
    security: 'starttls',
    note: 'SMTP sign-in must be allowed for the mailbox (Microsoft 365 admins often turn it off); with two-step verification use an app password.',
    usernameIsAddress: true,
    domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com'],
  },
  {
    key: 'yahoo',
    name: 'Yahoo Mail',
    host: 'smtp.mail.yahoo.com',
    port: 465,
    security: 'tls',
    note: 'Needs an app password (Account security › Generate app password); your normal password is refused.',
    usernameIsAddress: true,
    domains: ['yahoo.com', 'ymail.com', 'rocketmail.com'],
  },
  {
    key: 'icloud',
    name: 'iCloud Mail',
    host: 'smtp.mail.me.com',
    port: 587,
    security: 'starttls',
    note: 'Needs an app-specific password from account.apple.com.',
    usernameIsAddress: true,
    domains: ['icloud.com', 'me.com', 'mac.com'],
  },
  {
    key: 'fastmail',
    name: 'Fastmail',
    host: 'smtp.fastmail.com',
    port: 465,
    security: 'tls',
    note: 'Needs an app password (Settings › Privacy & Security › App passwords).',
    usernameIsAddress: true,
    domains: ['fastmail.com', 'fastmail.fm'],
  },
  {
    key: 'zoho',
    name: 'Zoho Mail',
    host: 'smtp.zoho.com',
    port: 465,
    security: 'tls',
    note: 'Accounts in the EU or India use smtp.zoho.eu or smtp.zoho.in. With two-factor sign-in, use an app password.',
    usernameIsAddress: true,
    domains: ['zoho.com', 'zohomail.com', 'zohomail.eu'],
  },
  {
    key: 'gmx',
    name: 'GMX',
    host: 'mail.gmx.net',
    port: 587,
    security: 'starttls',
    note: 'Sending through other programs must be enabled in GMX settings (POP3/IMAP access).',
    usernameIsAddress: true,
    domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch', 'gmx.com'],
  },
  {
    key: 'mailbox-org',
    name: 'mailbox.org',
    host: 'smtp.mailbox.org',
    port: 465,
    security: 'tls',
    usernameIsAddress: true,
    domains: ['mailbox.org'],
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
    domains: ['proton.me', 'protonmail.com', 'protonmail.ch', 'pm.me'],
  },
  {
    key: 'custom',
    name: 'Custom',
    host: '',
    port: 587,
    security: 'starttls',
    usernameIsAddress: true,
    domains: [],
  },
];

function toProvider({ domains: _domains, ...provider }: Preset): Provider {
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

/** The preset whose server this is, for hints that depend on the provider (e.g. app passwords). */
export function presetForServer(host: string, port: number): Provider | undefined {
  const wanted = host.toLowerCase();
  const preset = PRESETS.find((candidate) => candidate.host === wanted && candidate.port === port);
  return preset ? toProvider(preset) : undefined;
}
