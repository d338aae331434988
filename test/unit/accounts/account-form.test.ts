import { describe, expect, test } from 'vitest';
import { accountInput, type Account } from '../../../preload/contract/accounts.ts';
import { providerPresets } from '../../../main/accounts/provider-presets.ts';
import {
  EMPTY_FORM,
  formOf,
  inputOf,
  patchOf,
  signInChoices,
  withChoice,
  withSavedSignIn,
  type AccountForm,
} from '../../../renderer/src/features/accounts/account-form.ts';

const BASE: AccountForm = {
  ...EMPTY_FORM,
  label: 'Work',
  fromAddress: 'ann@example.org',
  host: 'smtp.example.org',
  username: 'ann@example.org',
};

function preset(key: string) {
  const found = providerPresets().find((p) => p.key === key);
  if (!found) throw new Error(`no preset ${key}`);
  return found;
}

describe('the form maps its sign-in method to the account input', () => {
  test.each([
    ['password', { auth: 'password' }, { auth: 'password', oauth: undefined }],
    ['app password', { auth: 'app-password' }, { auth: 'app-password', oauth: undefined }],
    ['no sign-in', { auth: 'none' }, { auth: 'none', oauth: undefined }],
    [
      'Microsoft, advanced fields left empty',
      { auth: 'oauth2', oauthProvider: 'microsoft' },
      { auth: 'oauth2', oauth: { provider: 'microsoft' } },
    ],
    [
      'Google with its own client ID',
      { auth: 'oauth2', oauthProvider: 'google', oauthClientId: ' org-client ' },
      { auth: 'oauth2', oauth: { provider: 'google', clientId: 'org-client' } },
    ],
    [
      'generic: issuer, client ID and space-separated scopes',
      {
        auth: 'oauth2',
        oauthProvider: 'generic',
        oauthIssuer: ' https://id.example.org/realms/mail ',
        oauthClientId: 'outbox',
        oauthScopes: '  openid email\tsmtp.send ',
      },
      {
        auth: 'oauth2',
        oauth: {
          provider: 'generic',
          issuer: 'https://id.example.org/realms/mail',
          clientId: 'outbox',
          scopes: ['openid', 'email', 'smtp.send'],
        },
      },
    ],
    [
      'an issuer typed, then Microsoft chosen: the issuer is not sent',
      { auth: 'oauth2', oauthProvider: 'microsoft', oauthIssuer: 'https://id.example.org' },
      { auth: 'oauth2', oauth: { provider: 'microsoft' } },
    ],
    [
      'OAuth2 fields typed, then Password chosen: no oauth settings',
      { auth: 'password', oauthProvider: 'generic', oauthIssuer: 'https://id.example.org' },
      { auth: 'password', oauth: undefined },
    ],
  ] as const)('%s', (_name, fields, expected) => {
    const input = inputOf({ ...BASE, ...fields });
    expect({ auth: input.auth, oauth: input.oauth }).toEqual(expected);
    // What the form sends is what the contract accepts.
    expect(accountInput.safeParse(input).success).toBe(true);
    expect(patchOf({ ...BASE, ...fields }).oauth).toEqual(expected.oauth ?? null);
  });

  test('a saved account reads back into the same input', () => {
    const oauth = {
      provider: 'generic',
      issuer: 'https://id.example.org',
      clientId: 'c',
      scopes: ['a', 'b'],
    };
    const saved = {
      ...accountInput.parse({ ...inputOf(BASE), auth: 'oauth2', oauth }),
      id: 'a1',
      isDefault: true,
      hasPassword: false,
      hasDkimKey: false,
      hasOAuthToken: true,
      signedInAs: 'ann@example.org',
      paused: false,
      createdAt: new Date(0).toISOString(),
    } satisfies Account;
    const form = formOf(saved);
    expect(form).toMatchObject({ auth: 'oauth2', oauthIssuer: oauth.issuer, oauthScopes: 'a b' });
    expect(inputOf(form).oauth).toEqual(oauth);
  });
});

describe('a method changed outside the editor', () => {
  const saved = {
    ...accountInput.parse({ ...inputOf(BASE), auth: 'oauth2', oauth: { provider: 'microsoft' } }),
    id: 'a1',
    isDefault: true,
    hasPassword: false,
    hasDkimKey: false,
    hasOAuthToken: false,
    paused: false,
    createdAt: new Date(0).toISOString(),
  } satisfies Account;

  test('replaces the sign-in fields and keeps what else was typed', () => {
    const typed = { ...BASE, auth: 'password', label: 'Typed, not saved' } as const;
    expect(withSavedSignIn(typed, saved)).toEqual({ ...typed, auth: 'oauth2', oauthProvider: 'microsoft' });
  });

  test('leaves the form alone when it already has that method', () => {
    const form = { ...BASE, auth: 'oauth2', oauthProvider: 'microsoft', oauthClientId: 'typed' } as const;
    expect(withSavedSignIn(form, saved)).toBe(form);
  });
});

describe('the sign-in methods offered', () => {
  test.each([
    ['outlook', ['Sign in with Microsoft']],
    ['gmail', ['Sign in with Google', 'App password']],
    ['yahoo', ['App password']],
    ['zoho', ['Password', 'App password']],
    ['custom', ['Password', 'App password', 'OAuth2 (advanced)', 'No sign-in']],
  ])('%s offers %j, preferred first', (key, labels) => {
    // As the editor does when a preset is applied: its preferred method is chosen.
    const [preferred] = signInChoices(preset(key), BASE);
    if (!preferred) throw new Error('no choice');
    const choices = signInChoices(preset(key), withChoice(BASE, preferred));
    expect(choices.map((c) => c.label)).toEqual(labels);
  });

  test('another server offers all four, with OAuth2 by issuer URL', () => {
    const choices = signInChoices(undefined, BASE);
    expect(choices.map((c) => [c.auth, c.oauthProvider])).toEqual([
      ['password', undefined],
      ['app-password', undefined],
      ['oauth2', 'generic'],
      ['none', undefined],
    ]);
  });

  test("an account's current method stays on the menu even where its provider does not list it", () => {
    const labels = signInChoices(preset('outlook'), { ...BASE, auth: 'password' }).map((c) => c.label);
    expect(labels).toEqual(['Sign in with Microsoft', 'Password']);
  });

  test('choosing Sign in with Microsoft sets the method and the provider, and keeps typed fields', () => {
    const [microsoft] = signInChoices(preset('outlook'), BASE);
    if (!microsoft) throw new Error('no choice');
    const form = withChoice({ ...BASE, oauthClientId: 'typed' }, microsoft);
    expect(form).toMatchObject({ auth: 'oauth2', oauthProvider: 'microsoft', oauthClientId: 'typed' });
  });
});
