import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const XDG_EMAIL = '/usr/bin/xdg-email';

/**
 * Runs Debian's real xdg-email with a fake `thunderbird` as the default mail app (a desktop entry
 * and mimeapps.list in a private XDG home), and returns the argv xdg-email started it with. In
 * xdg-utils' generic mode this takes the run_thunderbird path, which builds the `-compose` string.
 */
export class XdgEmailRunner {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-xdg-email-'));
  private readonly argvFile = path.join(this.dir, 'argv');

  constructor() {
    const bin = path.join(this.dir, 'bin');
    const applications = path.join(this.dir, 'data', 'applications');
    const config = path.join(this.dir, 'config');
    for (const folder of [bin, applications, config]) fs.mkdirSync(folder, { recursive: true });
    // NUL-separated, so an argument holding line breaks comes back whole.
    fs.writeFileSync(
      path.join(bin, 'thunderbird'),
      '#!/bin/sh\nfor a in "$@"; do printf \'%s\\0\' "$a"; done > "$OUTBOX_TEST_ARGV"\n',
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(applications, 'thunderbird.desktop'),
      '[Desktop Entry]\nType=Application\nName=Thunderbird\nExec=thunderbird %u\nMimeType=x-scheme-handler/mailto;\n',
    );
    fs.writeFileSync(
      path.join(config, 'mimeapps.list'),
      '[Default Applications]\nx-scheme-handler/mailto=thunderbird.desktop\n',
    );
  }

  /** The arguments xdg-email passed to Thunderbird for `args`. */
  run(args: readonly string[]): string[] {
    fs.rmSync(this.argvFile, { force: true });
    execFileSync(XDG_EMAIL, args, {
      // Only what xdg-email needs: no desktop session (generic mode), no xdg-email-hook.sh on PATH.
      env: {
        HOME: this.dir,
        PATH: `${path.join(this.dir, 'bin')}:/usr/bin:/bin`,
        LANG: 'C.UTF-8',
        XDG_CONFIG_HOME: path.join(this.dir, 'config'),
        XDG_DATA_HOME: path.join(this.dir, 'data'),
        XDG_DATA_DIRS: path.join(this.dir, 'data'),
        OUTBOX_TEST_ARGV: this.argvFile,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    });
    return fs.readFileSync(this.argvFile, 'utf8').split('\0').slice(0, -1);
  }

  /** A file in the runner's folder, made so xdg-email's --attach finds it. */
  file(name: string): string {
    const file = path.join(this.dir, name);
    fs.writeFileSync(file, 'attached\n');
    return file;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
