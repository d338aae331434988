import { describe, expect, it } from 'vitest';
import { launchFromArgv, launchFromUrl, secondInstanceArgv } from '../../../main/handoff/launch-arguments.ts';

describe('what the OS hands the app at launch', () => {
  it('a -compose argument may attach files, resolved against the folder the launch came from', () => {
    const launch = launchFromArgv(
      ['/opt/Outbox/outbox', '-compose', "to='ann@example.org',attachment='notes.txt'"],
      '/home/ann/Documents',
    );
    expect(launch).toEqual({
      request: expect.objectContaining({
        to: ['ann@example.org'],
        attachments: ['/home/ann/Documents/notes.txt'],
      }) as unknown,
      source: 'program',
    });
  });

  it('a bare mailto: argument, as the desktop passes a clicked link, attaches nothing', () => {
    const launch = launchFromArgv(
      ['/opt/Outbox/outbox', 'mailto:ann@example.org?subject=Hi&attach=/home/ann/.ssh/id_rsa'],
      '/home/ann',
    );
    expect(launch?.request).toMatchObject({ to: ['ann@example.org'], subject: 'Hi', attachments: [] });
  });

  it('argv that hands over nothing is no launch', () => {
    expect(launchFromArgv(['/opt/Outbox/outbox', '--no-sandbox'], '/')).toBeUndefined();
  });

  it("macOS's open-url is a link: its attach= is dropped", () => {
    const launch = launchFromUrl('mailto:ann@example.org?attach=%2Fetc%2Fpasswd');
    expect(launch).toMatchObject({ source: 'link', request: { to: ['ann@example.org'], attachments: [] } });
  });

  it("a second instance's own argv is preferred to the command line Chromium rewrote", () => {
    const sent = ['/opt/Outbox/outbox', '-compose', "subject='x'"];
    const rewritten = ['/opt/Outbox/outbox', '--allow-file-access-from-files', "subject='x'", '-compose'];
    expect(secondInstanceArgv(rewritten, { argv: sent })).toEqual(sent);
    expect(secondInstanceArgv(rewritten, { argv: [1, 2] })).toEqual(rewritten);
    expect(secondInstanceArgv(rewritten, null)).toEqual(rewritten);
  });
});
