import { describe, expect, test } from 'vitest';
import {
  messageSizeLimit,
  movesDkimKey,
  movesOAuthToken,
  movesPassword,
} from '../../../preload/contract/account-rules.ts';
import type { AccountInput, OAuthSettings } from '../../../preload/contract/accounts.ts';

const current = { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'ann' } as const;

describe('a saved password stays bound to where it was given', () => {
  test.each<[string, Partial<AccountInput>, boolean]>([
    ['nothing changes', {}, false],
    ['the same values are sent again', { ...current }, false],
    ['a field that is no destination changes', { label: 'Home', displayName: 'Ann' }, false],
    ['the host changes', { host: 'smtp.evil.example' }, true],
    ['the port changes', { port: 465 }, true],
    ['the security changes', { security: 'tls' }, true],
    ['the user name changes', { username: 'ann@example.com' }, true],
    ['the user name gains a space', { username: 'ann ' }, true],
  ])('%s → forgotten: %s', (_name, patch, forgotten) => {
    expect(movesPassword(patch, current)).toBe(forgotten);
  });
});

describe('a saved DKIM key stays bound to the server and the sender domain', () => {
  const account = {
    host: 'smtp.example.com',
    port: 587,
    security: 'starttls',
    fromAddress: 'ann@example.com',
  } as const;
  test.each<[string, Partial<AccountInput>, boolean]>([
    ['nothing changes', {}, false],
    ['the same values are sent again', { ...account }, false],
    ['the display name and user name change', { displayName: 'Ann', username: 'ann2' }, false],
    ['the local part changes', { fromAddress: 'ann.e@example.com' }, false],
    ['the domain changes case only', { fromAddress: 'ann@EXAMPLE.com' }, false],
    ['the host changes', { host: 'smtp.evil.example' }, true],
    ['the port changes', { port: 2525 }, true],
    ['the security changes', { security: 'tls' }, true],
    ['the From domain changes', { fromAddress: 'ann@evil.example' }, true],
    ['the From domain gains a subdomain', { fromAddress: 'ann@mail.example.com' }, true],
  ])('%s → forgotten: %s', (_name, patch, forgotten) => {
    expect(movesDkimKey(patch, account)).toBe(forgotten);
  });
});

describe('the largest message an account takes', () => {
  test.each([
    [{}, undefined],
    [{ maxMessageBytes: 10_000 }, 10_000],
    [{ serverSizeLimit: 20_000 }, 20_000],
    [{ maxMessageBytes: 10_000, serverSizeLimit: 20_000 }, 10_000],
    [{ maxMessageBytes: 30_000, serverSizeLimit: 20_000 }, 20_000],
    // RFC 1870 §4: SIZE 0 means the server sets no fixed limit.
    [{ maxMessageBytes: 30_000, serverSizeLimit: 0 }, 30_000],
    [{ serverSizeLimit: 0 }, undefined],
  ])('%j → %s', (account, limit) => {
    expect(messageSizeLimit(account)).toBe(limit);
  });
});

describe('an OAuth2 refresh token stays bound to its provider, server and user', () => {
  const account: Pick<AccountInput, 'host' | 'port' | 'security' | 'username' | 'auth' | 'oauth'> & {
    oauth: OAuthSettings;
  } = {
    ...current,
    auth: 'oauth2',
    oauth: { provider: 'generic', issuer: 'https://id.example/', scopes: ['smtp', 'offline_access'] },
  };
  test.each<[string, Partial<AccountInput>, boolean]>([
    ['nothing changes', {}, false],
    ['the same values are sent again', { ...account, oauth: { ...account.oauth } }, false],
    ['a field that is no destination changes', { label: 'Home', fromAddress: 'ann@other.example' }, false],
    ['auth stays oauth2', { auth: 'oauth2' }, false],
    ['the host changes', { host: 'smtp.evil.example' }, true],
    ['the port changes', { port: 465 }, true],
    ['the security changes', { security: 'tls' }, true],
    ['the user name changes', { username: 'ann@example.com' }, true],
    ['the issuer changes', { oauth: { ...account.oauth, issuer: 'https://evil.example/' } }, true],
    ['the provider changes', { oauth: { provider: 'google' } }, true],
    ['a client ID is set', { oauth: { ...account.oauth, clientId: 'own-app' } }, true],
    ['the scopes change', { oauth: { ...account.oauth, scopes: ['smtp'] } }, true],
    ['the oauth settings are removed', { oauth: undefined }, true],
    ['auth switches to a password', { auth: 'password' }, true],
    ['auth switches to none', { auth: 'none' }, true],
  ])('%s → forgotten: %s', (_name, patch, forgotten) => {
    expect(movesOAuthToken(patch, account)).toBe(forgotten);
  });
});
