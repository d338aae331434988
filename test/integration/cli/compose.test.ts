import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Draft } from '../../../preload/contract/compose.ts';
import { runCli, tempHomes } from './run-cli.ts';

/**
 * `outbox compose` (issue 18): a draft in the app's drafts store, its files copied into the data
 * folder and marked as added by another program; nothing queued, nothing sent.
 */
const newHome = tempHomes();

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function drafts(home: string): Promise<Draft[]> {
  const dir = path.join(home, 'drafts');
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  return Promise.all(
    names.map(async (name) => JSON.parse(await fsp.readFile(path.join(dir, name), 'utf8')) as Draft),
  );
}

describe('outbox compose', () => {
  it('saves a draft holding a copy of each --attach file, marked as added by another program', async () => {
    const home = await newHome();
    const file = path.join(home, 'report.pdf');
    const bytes = randomBytes(200_000);
    await fsp.writeFile(file, bytes);

    const result = await runCli(home, [
      'compose',
      '--to',
      'Ann <ann@example.org>',
      '--cc',
      'bob@example.org',
      '--subject',
      'The report',
      '--body',
      'Here it is.',
      '--attach',
      file,
    ]);

    expect(result.code).toBe(0);
    const [draft] = await drafts(home);
    expect(result.stdout).toBe(`${draft?.id}\n`);
    // No app runs on this data folder: the user is told where the draft is.
    expect(result.stderr).toContain('Outbox is not running: open Outbox, the draft is in Drafts.');
    expect(draft?.content).toMatchObject({
      to: ['Ann <ann@example.org>'],
      cc: ['bob@example.org'],
      subject: 'The report',
      text: 'Here it is.',
    });
    const [attachment] = draft?.content.attachments ?? [];
    expect(attachment?.addedBy).toBe('program');
    // A copy in the data folder, so the other program may delete its temporary file at once.
    expect(attachment?.path).toBe(path.join(home, 'outbox', 'edits', draft?.id ?? '', 'report.pdf'));
    await fsp.rm(file);
    expect(sha256(await fsp.readFile(attachment?.path ?? ''))).toBe(sha256(bytes));
  });

  it('leaves out hidden files, files in hidden folders, links to them and /etc, each named on stderr', async () => {
    const home = await newHome();
    const hidden = path.join(home, '.netrc');
    const key = path.join(home, '.ssh', 'id_ed25519');
    const link = path.join(home, 'holiday.jpg');
    const kept = path.join(home, 'minutes.txt');
    await fsp.mkdir(path.dirname(key));
    await Promise.all([hidden, key, kept].map((file) => fsp.writeFile(file, 'x')));
    await fsp.symlink(key, link);

    const result = await runCli(home, [
      'compose',
      ...[hidden, key, '/etc/passwd', link, kept].flatMap((f) => ['--attach', f]),
    ]);

    expect(result.code, result.stderr).toBe(0);
    const why = (file: string, reason: string) =>
      `outbox: ${file} was not attached: ${reason}. Attach it in Outbox by hand if you mean to.\n`;
    const hiddenWhy = 'it is hidden, or in a hidden folder, where programs keep keys and passwords';
    expect(result.stderr).toBe(
      why(hidden, hiddenWhy) +
        why(key, hiddenWhy) +
        why('/etc/passwd', 'it is part of the system’s configuration') +
        why(link, hiddenWhy) +
        'outbox: Outbox is not running: open Outbox, the draft is in Drafts.\n',
    );
    const [draft] = await drafts(home);
    expect(draft?.content.attachments.map((ref) => path.basename(ref.path))).toEqual(['minutes.txt']);
  });

  it("leaves out a mailto: URL's relative attach=, which names no file anyone chose", async () => {
    const home = await newHome();
    const result = await runCli(home, ['compose', 'mailto:ann@example.org?attach=notes.txt']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'outbox: notes.txt was not attached: it is not a full path. Attach it in Outbox by hand if you mean to.\n',
    );
    expect((await drafts(home))[0]?.content.attachments).toEqual([]);
  });

  it('refuses a missing file (65) and leaves no draft behind', async () => {
    const home = await newHome();
    const missing = path.join(home, 'gone.txt');
    const result = await runCli(home, ['compose', '--to', 'ann@example.org', '--attach', missing]);
    expect(result.code).toBe(65);
    expect(result.stderr).toBe(`outbox: --attach: ${missing} does not exist.\n`);
    expect(await drafts(home)).toEqual([]);
  });

  it('refuses a folder as an attachment (65)', async () => {
    const home = await newHome();
    const result = await runCli(home, ['compose', '--attach', home]);
    expect(result.code).toBe(65);
    expect(result.stderr).toBe(`outbox: --attach: ${home} is not a file.\n`);
    expect(await drafts(home)).toEqual([]);
  });

  it.each([
    [['--to', 'ann at example.org'], 'invalid_address'],
    [['--bcc', 'a@example.org, b@example.org'], 'invalid_address'],
    [['--subject', 'Hi\r\nBcc: eve@example.net'], 'header_injection'],
  ])('refuses %j as the other doors do (65)', async (args) => {
    const home = await newHome();
    const result = await runCli(home, ['compose', ...args]);
    expect(result.code).toBe(65);
    expect(result.stdout).toBe('');
    expect(await drafts(home)).toEqual([]);
  });

  it("takes a mailto: URL's fields and files; options add recipients and files and replace the subject", async () => {
    const home = await newHome();
    const fromUrl = path.join(home, 'from url.txt');
    const fromOption = path.join(home, 'from-option.txt');
    await fsp.writeFile(fromUrl, 'url');
    await fsp.writeFile(fromOption, 'option');
    const url = `mailto:ann@example.org?cc=bob@example.org&subject=From%20the%20URL&body=Hi&attach=${encodeURIComponent(fromUrl)}`;

    const result = await runCli(home, [
      'compose',
      '--to',
      'carl@example.org',
      '--subject',
      'From the option',
      '--attach',
      fromOption,
      url,
    ]);

    expect(result.code, result.stderr).toBe(0);
    const [draft] = await drafts(home);
    expect(draft?.content).toMatchObject({
      to: ['ann@example.org', 'carl@example.org'],
      cc: ['bob@example.org'],
      subject: 'From the option',
      text: 'Hi',
    });
    const copies = draft?.content.attachments.map((ref) => path.basename(ref.path));
    expect(copies).toEqual(['from url.txt', 'from-option.txt']);
  });

  it('refuses a mailto: URL with a bad address as a link would be (65), and more than one URL (64)', async () => {
    const home = await newHome();
    const bad = await runCli(home, ['compose', 'mailto:ann%0D%0ABcc:eve@example.net']);
    expect(bad.code).toBe(65);
    const two = await runCli(home, ['compose', 'mailto:a@example.org', 'mailto:b@example.org']);
    expect(two.code).toBe(64);
    expect(await drafts(home)).toEqual([]);
  });

  it('answers --help with its usage, and refuses an unknown option (64)', async () => {
    const home = await newHome();
    const help = await runCli(home, ['compose', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: outbox compose');
    const wrong = await runCli(home, ['compose', '--send']);
    expect(wrong.code).toBe(64);
  });
});
