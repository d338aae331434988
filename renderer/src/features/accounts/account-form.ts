import type {
  Account,
  AccountInputDraft,
  AuthMethod,
  OAuthProviderKey,
  OAuthSettings,
  Provider,
  SecurityMode,
} from '../../../../preload/contract/accounts.ts';
import type { CallInput } from '../../../../preload/contract/channels.ts';
import type { DiscoveredServer } from '../../../../preload/contract/discovery.ts';

type Alias = Account['aliases'][number];

/** The account form as typed: numbers stay text until saved, so a half-typed port is not lost. */
export interface AccountForm {
  label: string;
  displayName: string;
  fromAddress: string;
  replyTo: string;
  host: string;
  port: string;
  security: SecurityMode;
  allowPlaintext: boolean;
  auth: AuthMethod;
  /** With `auth: 'oauth2'`: whose sign-in; the three fields below only matter for `generic`. */
  oauthProvider: OAuthProviderKey;
  oauthIssuer: string;
  oauthClientId: string;
  /** Space-separated, as RFC 6749 §3.3 writes a scope list. */
  oauthScopes: string;
  username: string;
  signatureText: string;
  signatureHtml: string;
  maxMessageMb: string;
  ratePerHour: string;
  color: string;
  dkimDomain: string;
  dkimSelector: string;
  aliases: Alias[];
}

export const EMPTY_FORM: AccountForm = {
  label: '',
  displayName: '',
  fromAddress: '',
  replyTo: '',
  host: '',
  port: '587',
  security: 'starttls',
  allowPlaintext: false,
  auth: 'password',
  oauthProvider: 'generic',
  oauthIssuer: '',
  oauthClientId: '',
  oauthScopes: '',
  username: '',
  signatureText: '',
  signatureHtml: '',
  maxMessageMb: '',
  ratePerHour: '',
  color: '#3b82f6',
  dkimDomain: '',
  dkimSelector: '',
  aliases: [],
};

const MB = 1024 * 1024;

export function formOf(account: Account): AccountForm {
  return {
    label: account.label,
    displayName: account.displayName,
    fromAddress: account.fromAddress,
    replyTo: account.replyTo ?? '',
    host: account.host,
    port: String(account.port),
    security: account.security,
    allowPlaintext: account.allowPlaintext,
    auth: account.auth,
    oauthProvider: account.oauth?.provider ?? 'generic',
    oauthIssuer: account.oauth?.issuer ?? '',
    oauthClientId: account.oauth?.clientId ?? '',
    oauthScopes: account.oauth?.scopes?.join(' ') ?? '',
    username: account.username,
    signatureText: account.signatureText,
    signatureHtml: account.signatureHtml,
    maxMessageMb: account.maxMessageBytes ? String(Math.round((account.maxMessageBytes / MB) * 10) / 10) : '',
    ratePerHour: account.ratePerHour ? String(account.ratePerHour) : '',
    color: account.color,
    dkimDomain: account.dkim?.domain ?? '',
    dkimSelector: account.dkim?.selector ?? '',
    aliases: account.aliases,
  };
}

/**
 * The form with the saved account's sign-in method, when it was changed outside the editor (the
 * switch to Microsoft sign-in); other fields stay as typed.
 */
export function withSavedSignIn(form: AccountForm, account: Account): AccountForm {
  const saved = formOf(account);
  if (choiceKeyOf(saved) === choiceKeyOf(form)) return form;
  const { auth, oauthProvider, oauthIssuer, oauthClientId, oauthScopes } = saved;
  return { ...form, auth, oauthProvider, oauthIssuer, oauthClientId, oauthScopes };
}

/** A number field as typed; NaN goes to main as is, so its schema names the field that is wrong. */
function numberOf(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

/** The account's OAuth2 settings, for an `oauth2` form only; empty advanced fields are left out. */
export function oauthOf(form: AccountForm): OAuthSettings | undefined {
  if (form.auth !== 'oauth2') return undefined;
  const oauth: OAuthSettings = { provider: form.oauthProvider };
  const issuer = form.oauthIssuer.trim();
  if (form.oauthProvider === 'generic' && issuer) oauth.issuer = issuer;
  const clientId = form.oauthClientId.trim();
  if (clientId) oauth.clientId = clientId;
  const scopes = form.oauthScopes.split(/\s+/).filter(Boolean);
  if (scopes.length > 0) oauth.scopes = scopes;
  return oauth;
}

export function inputOf(form: AccountForm): AccountInputDraft {
  const input: AccountInputDraft = {
    label: form.label,
    displayName: form.displayName,
    fromAddress: form.fromAddress.trim(),
    host: form.host.trim(),
    port: Number(form.port),
    security: form.security,
    allowPlaintext: form.allowPlaintext,
    auth: form.auth,
    username: form.username,
    signatureText: form.signatureText,
    signatureHtml: form.signatureHtml,
    color: form.color,
    aliases: form.aliases,
  };
  if (form.replyTo.trim()) input.replyTo = form.replyTo.trim();
  const oauth = oauthOf(form);
  if (oauth) input.oauth = oauth;
  const maxMb = numberOf(form.maxMessageMb);
  if (maxMb !== undefined) input.maxMessageBytes = Math.round(maxMb * MB);
  const rate = numberOf(form.ratePerHour);
  if (rate !== undefined) input.ratePerHour = rate;
  if (form.dkimDomain.trim() || form.dkimSelector.trim())
    input.dkim = { domain: form.dkimDomain.trim(), selector: form.dkimSelector.trim() };
  return input;
}

/** An edit of a saved account: an optional field left empty is sent as null, which removes it. */
export function patchOf(form: AccountForm): CallInput<'accounts:update'>['patch'] {
  const input = inputOf(form);
  return {
    ...input,
    replyTo: input.replyTo ?? null,
    maxMessageBytes: input.maxMessageBytes ?? null,
    ratePerHour: input.ratePerHour ?? null,
    dkim: input.dkim ?? null,
    oauth: input.oauth ?? null,
  };
}

/** One entry of the sign-in method menu: an auth method, and for `oauth2` whose sign-in. */
export interface SignInChoice {
  readonly key: string;
  readonly label: string;
  readonly auth: AuthMethod;
  readonly oauthProvider?: OAuthProviderKey;
}

const OAUTH_LABELS: Record<OAuthProviderKey, string> = {
  microsoft: 'Sign in with Microsoft',
  google: 'Sign in with Google',
  generic: 'OAuth2 (advanced)',
};

function choiceOf(auth: AuthMethod, oauthProvider: OAuthProviderKey | undefined): SignInChoice {
  switch (auth) {
    case 'password':
      return { key: 'password', label: 'Password', auth };
    case 'app-password':
      return { key: 'app-password', label: 'App password', auth };
    case 'none':
      return { key: 'none', label: 'No sign-in', auth };
    case 'oauth2': {
      const provider = oauthProvider ?? 'generic';
      return { key: `oauth2:${provider}`, label: OAUTH_LABELS[provider], auth, oauthProvider: provider };
    }
  }
}

const EVERY_METHOD: readonly AuthMethod[] = ['password', 'app-password', 'oauth2', 'none'];

/**
 * The sign-in methods the editor offers: a known provider's own, preferred first; for another
 * server all four (OAuth2 by issuer URL). The form's current method always stays on the menu, so
 * opening a saved account never silently changes how it signs in.
 */
export function signInChoices(preset: Provider | undefined, form: AccountForm): SignInChoice[] {
  const known = preset && preset.key !== 'custom';
  const choices = (known ? preset.signIn : EVERY_METHOD).map((auth) =>
    choiceOf(auth, known ? preset.oauthProvider : 'generic'),
  );
  const current = choiceKeyOf(form);
  if (!choices.some((choice) => choice.key === current))
    choices.push(choiceOf(form.auth, form.oauthProvider));
  return choices;
}

export function choiceKeyOf(form: Pick<AccountForm, 'auth' | 'oauthProvider'>): string {
  return choiceOf(form.auth, form.oauthProvider).key;
}

/** The form after choosing a method; the advanced OAuth2 fields stay as typed, in case of a change back. */
export function withChoice(form: AccountForm, choice: SignInChoice): AccountForm {
  return { ...form, auth: choice.auth, oauthProvider: choice.oauthProvider ?? form.oauthProvider };
}

/** A preset as the server to fill in for an address: the user name is the address or its local part. */
export function presetServer(preset: Provider, address: string): DiscoveredServer {
  const trimmed = address.trim();
  return {
    host: preset.host,
    port: preset.port,
    security: preset.security,
    username: preset.usernameIsAddress ? trimmed : trimmed.slice(0, Math.max(0, trimmed.lastIndexOf('@'))),
    signIn: [...preset.signIn],
    ...(preset.oauthProvider ? { oauthProvider: preset.oauthProvider } : {}),
  };
}

/**
 * The form with a server filled in (a preset chosen, or the first server a lookup found): host,
 * port, security, user name, the server's preferred sign-in, and the account name if still empty.
 */
export function withServer(form: AccountForm, server: DiscoveredServer, providerName?: string): AccountForm {
  const filled: AccountForm = {
    ...form,
    host: server.host,
    port: String(server.port),
    security: server.security,
    username: server.username,
    label: form.label || (providerName ?? ''),
  };
  // The server's own methods, preferred first, as a preset offers them (e.g. Sign in with Google).
  const offered: Provider = {
    key: 'found',
    name: providerName ?? server.host,
    host: server.host,
    port: server.port,
    security: server.security,
    usernameIsAddress: false,
    signIn: server.signIn,
    ...(server.oauthProvider ? { oauthProvider: server.oauthProvider } : {}),
  };
  const [preferred] = signInChoices(offered, filled);
  return preferred ? withChoice(filled, preferred) : filled;
}
