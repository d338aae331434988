import fs from 'node:fs';
import Conf from 'conf';
import { afterAll, describe, expect, test } from 'vitest';
import type { AccountInputDraft } from '../../../preload/contract/accounts.ts';
import {
  ACCOUNTS_KEY,
  ACCOUNTS_VERSION,
  AccountStore,
  migrate,
  type Migration,
} from '../../../main/accounts/account-store.ts';
import { AppError } from '../../../main/errors/app-error.ts';
import { errorCodes } from '../../../preload/contract/errors.ts';
import {
  accountDraft,
  accountsHarness,
  removeTempSettings,
  tempSettings,
} from '../../support/accounts-fixtures.ts';

afterAll(removeTempSettings);

async function refusal(promise: Promise<unknown>): Promise<{ code: string; field: string | undefined }> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { code: error.code, field: error.field };
}

describe('creating and editing accounts', () => {
  test('a new account is saved with its defaults, the first one becomes the default', async () => {
    const { call, events } = accountsHarness();
    const work = await call('accounts:create', accountDraft());
    expect(work).toMatchObject({
      label: 'Work',
      isDefault: true,
      hasPassword: false,
      hasDkimKey: false,
      paused: false,
      auth: 'password',
      allowPlaintext: false,
      aliases: [],
    });
    const home = await call(
      'accounts:create',
      accountDraft({ label: 'Home', fromAddress: 'ada@home.example' }),
    );
    expect(home.isDefault).toBe(false);
    expect(events.at(-1)).toEqual({ event: 'accounts:changed', payload: [work, home] });
  });

  test('accounts survive a restart: a new store on the same file reads them back', async () => {
    const { call, settings } = accountsHarness();
    const created = await call('accounts:create', accountDraft());
    const reopened = new AccountStore(new Conf({ cwd: settings.dir, projectName: 'outbox-test' }));
    expect(reopened.list()).toEqual([created]);
    expect(settings.store.get(ACCOUNTS_KEY)).toMatchObject({
      version: ACCOUNTS_VERSION,
      defaultId: created.id,
    });
  });

  test('an edit changes only what it names; null removes an optional field', async () => {
    const { call } = accountsHarness();
    const { id } = await call(
      'accounts:create',
      accountDraft({ replyTo: 'replies@example.com', ratePerHour: 50 }),
    );
    const edited = await call('accounts:update', {
      id,
      // JSON, as some transports send it: null survives where an undefined value would vanish.
      patch: JSON.parse('{"port": 465, "security": "tls", "replyTo": null, "ratePerHour": null}') as {
        port: number;
      },
    });
    expect(edited).toMatchObject({ port: 465, security: 'tls', label: 'Work' });
    expect(edited).not.toHaveProperty('replyTo');
    expect(edited).not.toHaveProperty('ratePerHour');
  });

  test('reorder puts the listed accounts first; set default moves the flag', async () => {
    const { call } = accountsHarness();
    const a = await call('accounts:create', accountDraft({ label: 'A' }));
    const b = await call('accounts:create', accountDraft({ label: 'B' }));
    const c = await call('accounts:create', accountDraft({ label: 'C' }));
    const reordered = await call('accounts:reorder', { ids: [c.id, a.id] });
    expect(reordered.map((account) => account.label)).toEqual(['C', 'A', 'B']);
    await call('accounts:setDefault', { id: b.id });
    const listed = await call('accounts:list', undefined);
    expect(listed.filter((account) => account.isDefault).map((account) => account.label)).toEqual(['B']);
  });

  test('pause and resume are saved on the account and tell the outbox', async () => {
    const { call, service } = accountsHarness();
    const { id } = await call('accounts:create', accountDraft());
    const told: string[] = [];
    service.onChanged((accountId, change) => told.push(`${accountId} ${change}`));
    expect((await call('accounts:pause', { id })).paused).toBe(true);
    expect(service.find(id)?.paused).toBe(true);
    expect((await call('accounts:resume', { id })).paused).toBe(false);
    expect(told).toEqual([`${id} edited`, `${id} edited`]);
  });

  test('the outbox can flag an account and remember the server SIZE; a user edit clears the flag', async () => {
    const { call, service } = accountsHarness();
    const { id } = await call('accounts:create', accountDraft());
    const told: string[] = [];
    service.onChanged((accountId, change) => told.push(`${accountId} ${change}`));
    service.setAttention(id, { code: 'auth_failed', message: 'The server refused the password.' });
    service.rememberServerSizeLimit(id, 10_485_760);
    // Its mail shows the flag; the size it reported itself changes nothing it shows.
    expect(told).toEqual([`${id} attention`]);
    expect(service.find(id)).toMatchObject({
      attention: { code: 'auth_failed' },
      serverSizeLimit: 10_485_760,
    });
    const edited = await call('accounts:update', { id, patch: { username: 'ada' } });
    expect(edited.attention).toBeUndefined();
    expect(edited.serverSizeLimit).toBe(10_485_760);
  });
});

describe('bad input leaves the stored account as it was', () => {
  const cases: [string, Partial<AccountInputDraft>, string, string][] = [
    // A bad host is refused by the contract's schema: see accounts-handlers.test.ts.
    ['port 0', { port: 0 }, 'invalid_port', 'port'],
    ['port 65536', { port: 65_536 }, 'invalid_port', 'port'],
    ['a negative port', { port: -25 }, 'invalid_port', 'port'],
    ['a from address without a domain', { fromAddress: 'ada@' }, 'invalid_address', 'fromAddress'],
    [
      'a from address with a display name',
      { fromAddress: 'Ada <ada@example.com>' },
      'invalid_address',
      'fromAddress',
    ],
    ['two from addresses', { fromAddress: 'a@example.com, b@example.com' }, 'invalid_address', 'fromAddress'],
    ['a reply-to that does not parse', { replyTo: 'nobody' }, 'invalid_address', 'replyTo'],
    [
      'an alias that does not parse',
      { aliases: [{ address: 'ada at example.com' }] },
      'invalid_address',
      'aliases.0.address',
    ],
    [
      "an alias repeating the account's own address",
      { aliases: [{ address: 'ADA@example.com' }] },
      'invalid_input',
      'aliases.0.address',
    ],
    ['a duplicate label, in other case', { label: '  HOME ' }, 'duplicate_label', 'label'],
    [
      'plain SMTP without confirmation',
      { security: 'none', port: 25 },
      'plaintext_not_confirmed',
      'allowPlaintext',
    ],
    [
      'a DKIM domain that is no host name',
      { dkim: { domain: 'example com', selector: 's1' } },
      'invalid_host',
      'dkim.domain',
    ],
    [
      'a DKIM selector that is no DNS label (RFC 6376 §3.1)',
      { dkim: { domain: 'example.com', selector: 'mail_2026' } },
      'invalid_input',
      'dkim.selector',
    ],
    [
      'a DKIM selector with an empty label',
      { dkim: { domain: 'example.com', selector: 'mail..eu' } },
      'invalid_input',
      'dkim.selector',
    ],
  ];

  test.each(cases)('%s: refused on create', async (_name, overrides, code, field) => {
    const { call, settings } = accountsHarness();
    await call('accounts:create', accountDraft({ label: 'Home' }));
    const before = fs.readFileSync(settings.file, 'utf8');
    await expect(refusal(call('accounts:create', accountDraft(overrides)))).resolves.toEqual({ code, field });
    expect(fs.readFileSync(settings.file, 'utf8')).toBe(before);
  });

  test.each(cases)('%s: refused on edit', async (_name, overrides, code, field) => {
    const { call, settings } = accountsHarness();
    await call('accounts:create', accountDraft({ label: 'Home' }));
    const { id } = await call('accounts:create', accountDraft());
    const before = fs.readFileSync(settings.file, 'utf8');
    await expect(refusal(call('accounts:update', { id, patch: overrides }))).resolves.toEqual({
      code,
      field,
    });
    expect(fs.readFileSync(settings.file, 'utf8')).toBe(before);
  });

  test('aliases are identities of their own: address, display name and signature', async () => {
    const { call, service } = accountsHarness();
    const { id } = await call(
      'accounts:create',
      accountDraft({
        aliases: [
          { address: 'support@example.com', displayName: 'Support', signatureText: '-- \nThe support team' },
        ],
      }),
    );
    expect(service.find(id)?.aliases).toEqual([
      {
        address: 'support@example.com',
        displayName: 'Support',
        signatureText: '-- \nThe support team',
        signatureHtml: '',
      },
    ]);
  });

  test('plain SMTP is accepted once confirmed, and stays visible on the account', async () => {
    const { call } = accountsHarness();
    const account = await call(
      'accounts:create',
      accountDraft({ security: 'none', port: 25, allowPlaintext: true }),
    );
    expect(account).toMatchObject({ security: 'none', allowPlaintext: true });
  });

  test('an unparseable DKIM key is refused before the keychain is touched', async () => {
    const { call, settings } = accountsHarness();
    const { id } = await call(
      'accounts:create',
      accountDraft({ dkim: { domain: 'example.com', selector: 's1' } }),
    );
    const before = fs.readFileSync(settings.file, 'utf8');
    await expect(
      refusal(
        call('accounts:setDkimKey', {
          id,
          secret: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----',
        }),
      ),
    ).resolves.toEqual({ code: 'invalid_dkim_key', field: 'secret' });
    expect(fs.readFileSync(settings.file, 'utf8')).toBe(before);
  });

  test('a certificate can be pinned only after a connection test showed it', async () => {
    const { call, settings } = accountsHarness();
    const { id } = await call('accounts:create', accountDraft());
    const before = fs.readFileSync(settings.file, 'utf8');
    const fingerprint = Array.from({ length: 32 }, () => 'AB').join(':');
    await expect(refusal(call('accounts:pinCertificate', { id, fingerprint }))).resolves.toEqual({
      code: 'invalid_state',
      field: 'fingerprint',
    });
    await expect(
      refusal(call('accounts:update', { id, patch: { pinnedCertSha256: fingerprint } })),
    ).resolves.toEqual({
      code: 'invalid_state',
      field: 'fingerprint',
    });
    expect(fs.readFileSync(settings.file, 'utf8')).toBe(before);
  });

  test('an unknown account id is its own error', async () => {
    const { call } = accountsHarness();
    await expect(refusal(call('accounts:setDefault', { id: 'nope' }))).resolves.toEqual({
      code: 'unknown_account',
      field: 'id',
    });
    await expect(refusal(call('accounts:reorder', { ids: ['nope'] }))).resolves.toMatchObject({
      code: 'unknown_account',
    });
  });
});

describe('deleting an account never drops its queued mail', () => {
  test('queued messages move to the chosen account; the default passes on', async () => {
    const { call, queue, settings } = accountsHarness();
    const work = await call('accounts:create', accountDraft());
    const home = await call('accounts:create', accountDraft({ label: 'Home' }));
    queue.pending[work.id] = 3;
    await call('accounts:delete', { id: work.id, queued: { action: 'move', toAccountId: home.id } });
    expect(queue.calls).toEqual([`move ${work.id} -> ${home.id}`]);
    expect(queue.pending[home.id]).toBe(3);
    expect(await call('accounts:list', undefined)).toEqual([{ ...home, isDefault: true }]);
    expect(fs.readFileSync(settings.file, 'utf8')).not.toContain(work.id);
  });

  test('or are held', async () => {
    const { call, queue } = accountsHarness();
    const work = await call('accounts:create', accountDraft());
    queue.pending[work.id] = 1;
    await call('accounts:delete', { id: work.id, queued: { action: 'hold' } });
    expect(queue.calls).toEqual([`hold ${work.id}`]);
  });

  test('moving to itself or to an unknown account is refused and nothing is deleted', async () => {
    const { call, queue } = accountsHarness();
    const work = await call('accounts:create', accountDraft());
    queue.pending[work.id] = 2;
    await expect(
      refusal(call('accounts:delete', { id: work.id, queued: { action: 'move', toAccountId: work.id } })),
    ).resolves.toMatchObject({ code: 'invalid_input' });
    await expect(
      refusal(call('accounts:delete', { id: work.id, queued: { action: 'move', toAccountId: 'gone' } })),
    ).resolves.toMatchObject({ code: 'unknown_account' });
    expect(queue.calls).toEqual([]);
    expect(await call('accounts:list', undefined)).toHaveLength(1);
  });
});

describe('two processes on one settings file', () => {
  test('a change made from a list read before another process added an account keeps that account', async () => {
    const { call, settings } = accountsHarness();
    const slow = await call('accounts:create', accountDraft({ label: 'Slow' }));
    // The command line's `accounts test`: it reads the accounts, then talks to a server for a while...
    const cli = new AccountStore(new Conf({ cwd: settings.dir, projectName: 'outbox-test' }));
    expect(cli.list().map((a) => a.label)).toEqual(['Slow']);
    // ...while the app adds an account...
    await call('accounts:create', accountDraft({ label: 'New', fromAddress: 'new@example.com' }));
    // ...and then records what it learnt about the server.
    cli.setInternal(slow.id, { serverSizeLimit: 10_000_000 });
    const after = new AccountStore(new Conf({ cwd: settings.dir, projectName: 'outbox-test' }));
    expect(after.list().map((a) => a.label)).toEqual(['Slow', 'New']);
    expect(after.get(slow.id).serverSizeLimit).toBe(10_000_000);
  });
});

describe('the versioned document', () => {
  test('migrations run in order from the stored version', () => {
    const migrations: Record<number, Migration> = {
      1: (document) => ({ ...document, list: document.items }),
      2: ({ list, ...document }) => ({ ...document, accounts: list }),
    };
    expect(migrate({ version: 1, items: ['a'] }, migrations, 3)).toEqual({
      version: 3,
      items: ['a'],
      accounts: ['a'],
    });
  });

  test('no document yet is an empty current one', () => {
    expect(migrate(undefined, {}, ACCOUNTS_VERSION)).toEqual({ version: ACCOUNTS_VERSION, accounts: [] });
  });

  test('a document from a newer Outbox is refused and left alone', () => {
    const { settings } = accountsHarness();
    settings.store.set(ACCOUNTS_KEY, { version: ACCOUNTS_VERSION + 1, accounts: [] });
    const before = fs.readFileSync(settings.file, 'utf8');
    expect(() => new AccountStore(settings.store).list()).toThrow(/newer version/);
    expect(fs.readFileSync(settings.file, 'utf8')).toBe(before);
  });

  test('a damaged document is refused, not overwritten', () => {
    const { settings } = accountsHarness();
    settings.store.set(ACCOUNTS_KEY, { version: ACCOUNTS_VERSION, accounts: [{ id: 'x' }] });
    const store = new AccountStore(settings.store);
    expect(() => store.list()).toThrow(AppError);
    expect(settings.store.get(ACCOUNTS_KEY)).toEqual({ version: ACCOUNTS_VERSION, accounts: [{ id: 'x' }] });
  });
});

describe('the stored account, apart from the contract', () => {
  test('an attention code the bridge no longer knows stays readable, shows as internal, and is kept', async () => {
    const code = 'smtp_auth_failed';
    expect(errorCodes).not.toContain(code);
    const { call, settings } = accountsHarness();
    const { id } = await call('accounts:create', accountDraft());
    const stored = settings.store.get(ACCOUNTS_KEY) as { accounts: Record<string, unknown>[] };
    const attention = { code, message: 'The server refused the login.' };
    settings.store.set(ACCOUNTS_KEY, { ...stored, accounts: [{ ...stored.accounts[0], attention }] });

    // A fresh start on the file, as after an update that renamed the code.
    const restarted = accountsHarness({ settings });
    expect((await restarted.call('accounts:list', undefined))[0]?.attention).toEqual({
      ...attention,
      code: 'internal',
    });
    // Any change rewrites the document: the stored code is kept as it was, not replaced by `internal`.
    await restarted.call('accounts:setDefault', { id });
    const after = settings.store.get(ACCOUNTS_KEY) as { accounts: Record<string, unknown>[] };
    expect(after.accounts[0]?.attention).toEqual(attention);
  });

  test('an account needing attention for a known reason keeps its code on the way out', () => {
    const settings = tempSettings();
    const store = new AccountStore(settings.store);
    const { id } = store.create(
      {
        ...accountDraft(),
        displayName: '',
        allowPlaintext: false,
        auth: 'password',
        username: '',
        signatureText: '',
        signatureHtml: '',
        color: '#3b82f6',
        aliases: [],
      },
      'work',
      '2026-01-01T10:00:00.000Z',
    );
    const attention = { code: 'auth_failed', message: 'The server refused the login.', field: 'password' };
    expect(store.setInternal(id, { attention }).attention).toEqual(attention);
  });
});
