import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { screenHandedPaths } from '../../../main/handoff/handed-paths.ts';

// The outcome is a LeftOutReason, or else the path as kept.
type Case = readonly [file: string, outcome: string];

/** [path, the reason it is left out, or the path it is kept as]. */
const POSIX: readonly Case[] = [
  ['/home/ann/report.pdf', '/home/ann/report.pdf'],
  ['/home/ann/docs/../report.pdf', '/home/ann/report.pdf'],
  ['//home//ann/./report.pdf', '/home/ann/report.pdf'],
  ['/home/ann/report.v2.pdf', '/home/ann/report.v2.pdf'],
  ['/home/ann/.ssh/id_ed25519', 'hidden'],
  ['/home/ann/docs/../.ssh/id_ed25519', 'hidden'],
  ['/home/ann/.config/outbox/config.json', 'hidden'],
  ['/home/ann/.bash_history', 'hidden'],
  ['/home/ann/...', 'hidden'],
  ['/home/ann/.hidden/../visible.txt', '/home/ann/visible.txt'],
  ['/etc/passwd', 'system'],
  ['/etc', 'system'],
  ['/../etc/shadow', 'system'],
  ['/home/../etc/ssh/ssh_host_ed25519_key', 'system'],
  ['/proc/self/environ', 'system'],
  ['/sys/class/net/eth0/address', 'system'],
  ['/dev/stdin', 'system'],
  ['/etcetera/notes.txt', '/etcetera/notes.txt'],
  ['/home/ann/etc/notes.txt', '/home/ann/etc/notes.txt'],
  ['/ETC/passwd', '/ETC/passwd'],
  ['report.pdf', 'relative'],
  ['./report.pdf', 'relative'],
  ['../../etc/passwd', 'relative'],
  ['~/report.pdf', 'relative'],
  ['', 'relative'],
];

const DARWIN: readonly Case[] = [
  ['/Users/ann/report.pdf', '/Users/ann/report.pdf'],
  ['/private/etc/master.passwd', 'system'],
  ['/ETC/hosts', 'system'],
  ['/private/var/db/dslocal/nodes/Default/users/ann.plist', 'system'],
  ['/Users/ann/Library/Keychains/login.keychain-db', 'system'],
  ['/Library/Keychains/System.keychain', 'system'],
  ['/System/Library/CoreServices/SystemVersion.plist', 'system'],
  ['/Users/ann/.ssh/id_rsa', 'hidden'],
];

const WINDOWS: readonly Case[] = [
  ['C:\\Users\\ann\\report.pdf', 'C:\\Users\\ann\\report.pdf'],
  ['C:/Users/ann/docs/../report.pdf', 'C:\\Users\\ann\\report.pdf'],
  ['\\\\server\\share\\report.pdf', '\\\\server\\share\\report.pdf'],
  ['C:\\Users\\ann\\.ssh\\id_ed25519', 'hidden'],
  ['C:\\Users\\ann\\AppData\\Roaming\\Microsoft\\Credentials\\x', 'hidden'],
  ['c:\\programdata\\app\\settings.ini', 'hidden'],
  ['C:\\Windows\\System32\\config\\SAM', 'system'],
  ['d:\\WINDOWS\\repair\\sam', 'system'],
  ['C:\\Users\\..\\Windows\\win.ini', 'system'],
  ['\\\\.\\PhysicalDrive0', 'system'],
  ['\\\\?\\C:\\Users\\ann\\report.pdf', 'system'],
  ['C:\\Windowsless\\notes.txt', 'C:\\Windowsless\\notes.txt'],
  ['\\Users\\ann\\report.pdf', 'relative'],
  ['C:report.pdf', 'relative'],
  ['report.pdf', 'relative'],
];

describe('screenHandedPaths', () => {
  test.each([
    ...POSIX.map((row) => ['linux', ...row] as const),
    ...DARWIN.map((row) => ['darwin', ...row] as const),
    ...WINDOWS.map((row) => ['win32', ...row] as const),
  ])('%s: %j → %s', (platform, file, outcome) => {
    const screened = screenHandedPaths([file], platform);
    if (outcome === 'hidden' || outcome === 'system' || outcome === 'relative') {
      expect(screened).toEqual({ kept: [], leftOut: [{ path: file, reason: outcome }] });
    } else {
      expect(screened).toEqual({ kept: [outcome], leftOut: [] });
    }
  });

  test('keeps the order of what it keeps and of what it leaves out', () => {
    expect(screenHandedPaths(['/a/1', '/etc/x', '/a/2', 'rel', '/a/.x'], 'linux')).toEqual({
      kept: ['/a/1', '/a/2'],
      leftOut: [
        { path: '/etc/x', reason: 'system' },
        { path: 'rel', reason: 'relative' },
        { path: '/a/.x', reason: 'hidden' },
      ],
    });
  });

  // Paths built from the parts that matter: dots, hidden names, etc, separators doubled.
  const segment = fc.constantFrom(
    '..',
    '.',
    '',
    'home',
    'ann',
    'etc',
    'ETC',
    '.ssh',
    '.config',
    'a.b',
    '...',
    'x',
  );
  const posixPath = fc
    .tuple(fc.boolean(), fc.array(fc.oneof(segment, fc.string({ maxLength: 4 })), { maxLength: 8 }))
    .map(([absolute, parts]) => (absolute ? '/' : '') + parts.join('/'));

  test('never keeps a relative path, one with a hidden component, or one under /etc (property)', () => {
    fc.assert(
      fc.property(fc.array(posixPath, { maxLength: 5 }), (paths) => {
        const { kept, leftOut } = screenHandedPaths(paths, 'linux');
        expect(kept.length + leftOut.length).toBe(paths.length);
        for (const file of kept) {
          expect(file.startsWith('/')).toBe(true);
          expect(file.split('/').some((part) => part.startsWith('.'))).toBe(false);
          expect(file === '/etc' || file.startsWith('/etc/')).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
