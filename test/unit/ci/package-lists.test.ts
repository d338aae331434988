import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../../..');
const read = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');

/** The package names of the first `apt-get install` command in `text`, continuation lines joined. */
function aptInstall(text: string): string[] {
  const joined = text.replace(/\\\n/g, ' ');
  const command = /apt-get install ([^\n]*)/.exec(joined)?.[1] ?? '';
  return command
    .split(/\s+/)
    .filter((word) => /^[a-z0-9][a-z0-9.+-]+$/.test(word))
    .sort();
}

describe('the Debian package lists', () => {
  // A package missing from one list is how CI went red on a fresh machine (git send-email without
  // libmailtools-perl): CI, README and the preflight check must name the same packages.
  it('are the same in .ci/run, README and test/preflight.sh', () => {
    const ci = aptInstall(read('.ci/run'));
    const readme = aptInstall(read('README.md'));
    const preflight = [
      ...new Set([...read('test/preflight.sh').matchAll(/^need (\S+) /gm)].map((m) => m[1])),
    ];
    expect(ci).toContain('libmailtools-perl');
    expect(readme).toEqual(ci);
    expect(preflight.sort()).toEqual(ci);
  });
});
