import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminLinkScript,
  cliExecutable,
  inspectLink,
  linkAsUser,
  planCliInstall,
} from '../../../main/desktop/cli-install.ts';

let scratch: string;
beforeAll(async () => {
  // A quote, a double quote, a backslash and a space: the paths an app folder may have.
  scratch = await fsp.mkdtemp(path.join(tmpdir(), `outbox-cli-link "it's" \\ `));
});
afterAll(async () => {
  await fsp.rm(scratch, { recursive: true, force: true });
});

const TARGET = '/Applications/Outbox.app/Contents/Resources/cli/bin/outbox';

describe('planCliInstall', () => {
  it('links when nothing is there, as the user or as an administrator', () => {
    expect(planCliInstall('/usr/local/bin/outbox', TARGET, { kind: 'absent' }, true)).toMatchObject({
      action: 'link',
      asAdmin: false,
    });
    const plan = planCliInstall('/usr/local/bin/outbox', TARGET, { kind: 'absent' }, false);
    expect(plan).toMatchObject({ action: 'link', asAdmin: true });
    expect(plan.message).toBe(`The "outbox" command is installed: /usr/local/bin/outbox runs ${TARGET}.`);
  });

  it('does nothing when the link already runs this copy', () => {
    expect(
      planCliInstall('/usr/local/bin/outbox', TARGET, { kind: 'link', target: TARGET }, false).action,
    ).toBe('nothing');
  });

  it("replaces a link to another copy only with the user's word, and never another program's file", () => {
    const old = '/Users/me/Downloads/Outbox.app/Contents/Resources/cli/bin/outbox';
    expect(
      planCliInstall('/usr/local/bin/outbox', TARGET, { kind: 'link', target: old }, true),
    ).toMatchObject({
      action: 'link',
      replaces: old,
      message: `/usr/local/bin/outbox now runs ${TARGET} instead of ${old}.`,
    });
    expect(planCliInstall('/usr/local/bin/outbox', TARGET, { kind: 'other' }, true).action).toBe('refuse');
  });

  it('finds the executable in the resources folder', () => {
    expect(cliExecutable('/opt/Outbox/resources', 'linux')).toBe('/opt/Outbox/resources/cli/bin/outbox');
    expect(cliExecutable('C:\\Outbox\\resources', 'win32')).toMatch(/outbox\.exe$/);
  });
});

describe('the link on disk', () => {
  it('is made in a folder that does not exist yet, and then seen as done', async () => {
    const link = path.join(scratch, 'fresh', 'bin', 'outbox');
    const before = await inspectLink(link);
    expect(before).toEqual({ state: { kind: 'absent' }, folderWritable: true });
    await linkAsUser(link, TARGET);
    const after = await inspectLink(link);
    expect(after.state).toEqual({ kind: 'link', target: TARGET });
    expect(planCliInstall(link, TARGET, after.state, after.folderWritable).action).toBe('nothing');
  });

  it("replaces an old link, and tells another program's file apart", async () => {
    const link = path.join(scratch, 'old', 'outbox');
    await fsp.mkdir(path.dirname(link));
    await fsp.symlink('/somewhere/else/outbox', link);
    await linkAsUser(link, TARGET);
    expect(await fsp.readlink(link)).toBe(TARGET);

    const file = path.join(scratch, 'old', 'not-a-link');
    await fsp.writeFile(file, '#!/bin/sh\n');
    expect((await inspectLink(file)).state).toEqual({ kind: 'other' });
  });

  it("the administrator's command makes the same link, whatever the paths hold", async () => {
    // osascript is macOS's: here the shell command inside its AppleScript string is run by sh.
    const link = path.join(scratch, 'admin', 'bin', 'outbox');
    const target = path.join(scratch, `Outbox "beta" it's.app`, 'outbox');
    const [, script] = adminLinkScript(link, target);
    const quoted = /^do shell script "((?:[^"\\]|\\.)*)" with administrator privileges$/.exec(script ?? '');
    const command = (quoted?.[1] ?? '').replace(/\\(.)/g, '$1');
    await promisify(execFile)('sh', ['-c', command]);
    expect(await fsp.readlink(link)).toBe(target);
  });
});
