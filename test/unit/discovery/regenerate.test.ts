import { execFile, execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ispdbDocument } from '../../../main/discovery/ispdb.ts';
import { formatIspdb, regenerate } from '../../../scripts/ispdb/regenerate.ts';

const REPO = path.join(import.meta.dirname, '..', '..', '..');
const FIXTURE = path.join(REPO, 'test', 'fixtures', 'autoconfig');
const SCRIPT = path.join(REPO, 'scripts', 'ispdb', 'regenerate.ts');

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ispdb-regenerate-'));
  dirs.push(dir);
  return dir;
}

const entry = (hostname: string, port: number, socketType: string, username: string) => ({
  hostname,
  port,
  socketType,
  username,
  authentication: ['password-cleartext'],
});

// It spawns Node and git: generous on a loaded two-core machine, where the default 5 s is not.
describe('regenerate', { timeout: 120_000 }, () => {
  it('turns a checkout into the reduced, sorted data, leaving out what the parser refuses', async () => {
    const { json, skipped } = await regenerate(FIXTURE);
    expect(JSON.parse(json)).toEqual({
      format: 1,
      source: 'https://github.com/thunderbird/autoconfig',
      // The fixture is inside Outbox's own repository, not a checkout of its own.
      commit: null,
      licence: 'MPL-2.0',
      providers: [
        {
          id: '126.com',
          name: '126.com',
          domains: ['126.com'],
          outgoing: [entry('smtp.126.com', 465, 'SSL', '%EMAILADDRESS%')],
        },
        {
          id: 'mail.ee',
          domains: ['mail.ee'],
          outgoing: [entry('%EMAILDOMAIN%', 465, 'SSL', '%EMAILADDRESS%')],
        },
        {
          id: 'o2.pl',
          name: 'o2 Poczta',
          domains: ['go2.pl', 'o2.pl', 'prokonto.pl', 'tlen.pl'],
          outgoing: [
            entry('poczta.o2.pl', 465, 'SSL', '%EMAILLOCALPART%'),
            entry('poczta.o2.pl', 587, 'STARTTLS', '%EMAILLOCALPART%'),
          ],
        },
      ],
    });
    expect(skipped).toEqual([
      'ispdb/broken.invalid.xml: The mail server settings file has no usable outgoing (SMTP) server: server 1: it has no port.',
    ]);
  });

  it('gives the same bytes every time', async () => {
    const [first, second] = await Promise.all([regenerate(FIXTURE), regenerate(FIXTURE)]);
    expect(second.json).toBe(first.json);
  });

  it('left the committed data in its own form: sorted, formatted, loadable', async () => {
    const committed = await readFile(path.join(REPO, 'build', 'ispdb', 'ispdb.json'), 'utf8');
    const document = ispdbDocument.parse(JSON.parse(committed));
    expect(await formatIspdb(document)).toBe(committed);
    const order = document.providers.map((p) => `${p.id} ${p.domains[0] ?? ''}`);
    expect(order).toEqual([...order].sort());
    for (const { domains } of document.providers) expect(domains).toEqual([...domains].sort());
  });

  it('as a command: writes the data and the licence, names the commit of a git checkout', async () => {
    const checkout = await tempDir();
    await cp(FIXTURE, checkout, { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', checkout, ...args], { encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '.');
    git(
      '-c',
      'user.name=Test',
      '-c',
      'user.email=test@example.com',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-q',
      '-m',
      'fixture',
    );
    const out = path.join(await tempDir(), 'ispdb');

    const { stderr } = await promisify(execFile)(process.execPath, [SCRIPT, checkout, '--out', out]);

    expect(stderr).toContain('skipped ispdb/broken.invalid.xml: ');
    expect(stderr).toContain('3 providers, 1 skipped');
    const written = ispdbDocument.parse(JSON.parse(await readFile(path.join(out, 'ispdb.json'), 'utf8')));
    expect(written.commit).toBe(git('rev-parse', 'HEAD'));
    expect(await readFile(path.join(out, 'LICENSE'), 'utf8')).toBe(
      await readFile(path.join(FIXTURE, 'LICENSE'), 'utf8'),
    );
  });

  it('as a command: says how to call it', async () => {
    const failure: unknown = await promisify(execFile)(process.execPath, [SCRIPT]).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 64 });
    expect((failure as { stderr: string }).stderr).toMatch(/^usage: node scripts\/ispdb\/regenerate.ts /);
  });
});
