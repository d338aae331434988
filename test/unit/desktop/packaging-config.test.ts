import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * electron-builder cannot run here (no Electron binary for it to package), so its configuration is
 * checked as far as it can be without it: against electron-builder's own schema, and for what
 * issue 18 needs of it (docs/installed-cli.md).
 */
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  validateConfiguration: (config: unknown, logger: { isEnabled: boolean; add: () => void }) => Promise<void>;
};

interface Protocol {
  schemes: string[];
}
interface Config {
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string }[];
  electronFuses: Record<string, boolean>;
  protocols?: Protocol[];
  linux: { executableName: string; mimeTypes: string[] };
  deb: { afterInstall: string; afterRemove: string; fpm: string[] };
  mac: { protocols: Protocol[] };
  nsis: { include: string };
}

const ROOT = path.resolve('.');
const config = yaml.load(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Config;
const TEMPLATES = path.join(path.dirname(require.resolve('app-builder-lib/package.json')), 'templates');

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", async () => {
    await validateConfiguration(config, { isEnabled: false, add: () => undefined });
  }, 60_000);

  it('keeps the fuses locked: the installed command needs no ELECTRON_RUN_AS_NODE', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships the command beside the app, and the keychain binding where it looks for it', () => {
    expect(config.extraResources).toContainEqual({ from: 'out/sea/cli', to: 'cli' });
    expect(config.files).toContain('!out/sea/**');
    // Loader and native library both: plain Node cannot read inside the asar.
    for (const file of [
      'node_modules/@napi-rs/keyring/index.js',
      'node_modules/@napi-rs/keyring-linux-x64-gnu/keyring.linux-x64-gnu.node',
      'node_modules/@napi-rs/keyring-darwin-arm64/keyring.darwin-arm64.node',
      'node_modules/@napi-rs/keyring-win32-x64-msvc/keyring.win32-x64-msvc.node',
    ])
      expect(config.asarUnpack.some((pattern) => path.matchesGlob(file, pattern))).toBe(true);
  });

  it('offers Outbox for mailto: links, once per platform', () => {
    expect(config.linux.executableName).toBe('outbox'); // outbox.desktop
    expect(config.linux.mimeTypes).toEqual(['x-scheme-handler/mailto']);
    expect(config.mac.protocols.flatMap((protocol) => protocol.schemes)).toEqual(['mailto']);
    // A top-level `protocols` would add x-scheme-handler/mailto to the desktop entry again.
    expect(config.protocols).toBeUndefined();
    expect(config.deb.fpm).toContain('build/linux/xdg-email-hook.sh=/usr/share/outbox/xdg-email-hook.sh');
  });
});

/** The macros electron-builder's FpmTarget gives a deb script; any other `${name}` fails the build. */
const DEB_MACROS: Record<string, string> = {
  executable: 'outbox',
  sanitizedProductName: 'Outbox',
  productFilename: 'Outbox',
};

describe('the deb scripts', () => {
  for (const key of ['afterInstall', 'afterRemove'] as const) {
    it(`${key}: only electron-builder's macros, and valid bash once they are filled in`, async () => {
      const text = readFileSync(path.join(ROOT, config.deb[key]), 'utf8');
      const unknown = [...text.matchAll(/\$\{([a-zA-Z]+)\}/g)]
        .map((match) => match[1] ?? '')
        .filter((name) => !(name in DEB_MACROS));
      expect(unknown).toEqual([]);
      const filled = text.replace(/\$\{([a-zA-Z]+)\}/g, (_match, name: string) => DEB_MACROS[name] ?? '');
      await promisify(execFile)('bash', ['-n', '-c', filled]);
      expect(filled).toContain("'/usr/bin/outbox'");
      expect(filled).toContain('CLI="$APP/resources/cli/bin/outbox"');
    });
  }
});

/** The macros electron-builder's NSIS templates insert when an include defines them. */
function electronBuilderHooks(): Set<string> {
  const folder = path.join(TEMPLATES, 'nsis');
  const names = readdirSync(folder)
    .filter((file) => file.endsWith('.nsh') || file.endsWith('.nsi'))
    .flatMap((file) => [...readFileSync(path.join(folder, file), 'utf8').matchAll(/!ifmacrodef\s+(\w+)/g)])
    .map((match) => match[1] ?? '');
  return new Set(names);
}

/** The lines between `!macro name` and its `!macroend`. */
function macroBody(text: string, name: string): string {
  const start = text.indexOf(`!macro ${name}\n`);
  return start === -1 ? '' : text.slice(start, text.indexOf('!macroend', start));
}

describe('the NSIS include', () => {
  const text = readFileSync(path.join(ROOT, config.nsis.include), 'utf8');

  it('defines the macros electron-builder calls, and only helpers it uses itself', () => {
    const defined = [...text.matchAll(/^!macro (\w+)/gm)].map((match) => match[1] ?? '');
    const inserted = new Set([...text.matchAll(/!insertmacro (\w+)/g)].map((match) => match[1]));
    const hooks = electronBuilderHooks();
    expect(defined).toContain('customInstall');
    expect(defined).toContain('customUnInstall');
    expect(defined.filter((name) => !hooks.has(name) && !inserted.has(name))).toEqual([]);
  });

  it('closes every block it opens', () => {
    const count = (pattern: RegExp) => (text.match(pattern) ?? []).length;
    expect(count(/^!macro /gm)).toBe(count(/^!macroend/gm));
    expect(count(/^Function /gm)).toBe(count(/^FunctionEnd/gm));
    expect(count(/\$\{If\}/g)).toBe(count(/\$\{EndIf\}/g));
    expect(count(/\$\{Do\}/g)).toBe(count(/\$\{Loop\}/g));
    expect(count(/^\s*!if/gm)).toBe(count(/^\s*!endif/gm));
  });

  it('takes back on uninstall every key it writes for the user', () => {
    const install = macroBody(text, 'customInstall');
    const uninstall = macroBody(text, 'customUnInstall');
    expect(install).toContain('WriteRegExpandStr HKCU "Environment" "Path"');
    expect(macroBody(text, 'OutboxBroadcastEnvironment')).toContain(
      'SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment"',
    );
    expect(install).toContain('!insertmacro OutboxBroadcastEnvironment');
    expect(uninstall).toContain('!insertmacro OutboxBroadcastEnvironment');
    expect(install).toContain('"mailto" "${OUTBOX_PROGID}"');
    expect(text).toContain('!define OUTBOX_CLIENT_KEY "Software\\Clients\\Mail\\Outbox"');
    expect(text).toContain('!define OUTBOX_PROGID "Outbox.Url.mailto"');
    expect(install).toContain('"$INSTDIR\\${APP_EXECUTABLE_FILENAME}" "%1"');
    expect(install).toContain('WriteRegStr HKCU "Software\\RegisteredApplications" "Outbox"');
    expect(uninstall).toContain('DeleteRegKey HKCU "${OUTBOX_CLIENT_KEY}"');
    expect(uninstall).toContain('DeleteRegKey HKCU "Software\\Classes\\${OUTBOX_PROGID}"');
    expect(uninstall).toContain('DeleteRegValue HKCU "Software\\RegisteredApplications" "Outbox"');
    expect(uninstall).toContain('Call un.OutboxPathWithout');
  });
});
