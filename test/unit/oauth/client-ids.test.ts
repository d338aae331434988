import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../main/errors/app-error.ts';
import { clientFor, loadClientIds } from '../../../main/oauth/client-ids.ts';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function file(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'oauth-clients-'));
  dirs.push(dir);
  const name = path.join(dir, 'oauth-clients.json');
  await writeFile(name, text);
  return name;
}

const IDS = { microsoft: { clientId: 'ms-id' }, google: { clientId: 'g-id', clientSecret: 'g-not-secret' } };

describe('client IDs', () => {
  it('reads the build file; a missing file means none', async () => {
    expect(loadClientIds(await file(JSON.stringify(IDS)))).toEqual(IDS);
    expect(loadClientIds(path.join(tmpdir(), 'no-such-dir-oauth', 'x.json'))).toEqual({});
  });

  it('refuses a malformed file with oauth_not_configured', async () => {
    const wrongType = await file('{"google": {"clientId": 7}}');
    expect(() => loadClientIds(wrongType)).toThrow(expect.objectContaining({ code: 'oauth_not_configured' }));
    const notJson = await file('not json');
    expect(() => loadClientIds(notJson)).toThrow(AppError);
  });

  it.each([
    ['the build ID for Microsoft', { provider: 'microsoft' as const }, { clientId: 'ms-id' }],
    [
      'the build ID and secret for Google',
      { provider: 'google' as const },
      { clientId: 'g-id', clientSecret: 'g-not-secret' },
    ],
    ["the account's own ID first", { provider: 'google' as const, clientId: 'own' }, { clientId: 'own' }],
    ["a generic provider's own ID", { provider: 'generic' as const, clientId: 'gen' }, { clientId: 'gen' }],
  ])('uses %s', (_name, settings, expected) => {
    expect(clientFor(settings, IDS)).toEqual(expected);
  });

  it.each([
    ['an empty build ID', { provider: 'microsoft' as const }, { microsoft: { clientId: '' } }],
    ['no build ID', { provider: 'google' as const }, {}],
    ['a generic provider without its own ID', { provider: 'generic' as const }, IDS],
  ])('answers oauth_not_configured for %s, naming docs/oauth.md', (_name, settings, ids) => {
    expect(() => clientFor(settings, ids)).toThrow(/docs\/oauth\.md/);
    expect(() => clientFor(settings, ids)).toThrow(
      expect.objectContaining({ code: 'oauth_not_configured' }) as Error,
    );
  });
});
