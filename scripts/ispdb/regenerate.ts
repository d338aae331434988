/**
 * Regenerates build/ispdb/ from a checkout of https://github.com/thunderbird/autoconfig:
 *
 *   npm run ispdb:update -- <path to the checkout> [--out <folder>]
 *
 * Each ispdb/*.xml is read with Outbox's own parser (main/discovery/client-config.ts), so the
 * bundled data is exactly what the app would accept from a domain's autoconfig file; a file it
 * refuses is reported on stderr and left out. Writes ispdb.json (sorted: running it twice gives the
 * same bytes) and a copy of the upstream LICENSE (MPL-2.0), which must ship with the data.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { format, resolveConfig } from 'prettier';
import { parseClientConfig } from '../../main/discovery/client-config.ts';
import type { IspdbDocument, IspdbProvider } from '../../main/discovery/ispdb.ts';
import { ISPDB_FORMAT } from '../../main/discovery/ispdb.ts';

export const UPSTREAM = 'https://github.com/thunderbird/autoconfig';
const REPO_ROOT = path.join(import.meta.dirname, '..', '..');
export const DEFAULT_OUT = path.join(REPO_ROOT, 'build', 'ispdb');

export interface Regenerated {
  /** ispdb.json's text, formatted as the repository's Prettier settings keep it. */
  readonly json: string;
  /** One line per file or domain left out, and why. */
  readonly skipped: readonly string[];
}

/** The bundled ISPDB made from a checkout's ispdb/ folder. */
export async function regenerate(checkout: string): Promise<Regenerated> {
  const folder = path.join(checkout, 'ispdb');
  const skipped: string[] = [];
  const providers: IspdbProvider[] = [];
  const names = readdirSync(folder)
    .filter((name) => name.endsWith('.xml'))
    .sort();
  for (const name of names) {
    try {
      const config = parseClientConfig(readFileSync(path.join(folder, name), 'utf8'));
      if (config.domains.length === 0) throw new Error('it names no domain');
      providers.push({
        id: config.id,
        ...(config.displayName === undefined ? {} : { name: config.displayName }),
        domains: [...config.domains].sort(),
        outgoing: config.outgoing.map((server) => ({
          hostname: server.hostname,
          port: server.port,
          socketType: server.socketType,
          username: server.username,
          authentication: [...server.authentication],
        })),
      });
    } catch (error) {
      skipped.push(`ispdb/${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  providers.sort((a, b) => compare(a.id, b.id) || compare(a.domains[0] ?? '', b.domains[0] ?? ''));
  const document: IspdbDocument = {
    format: ISPDB_FORMAT,
    source: UPSTREAM,
    commit: commitOf(checkout),
    licence: 'MPL-2.0',
    providers: withoutClashes(providers, skipped),
  };
  return { json: await formatIspdb(document), skipped };
}

/** The file's text: JSON as the repository's Prettier settings keep it, so `npm run lint` accepts it. */
export async function formatIspdb(document: IspdbDocument): Promise<string> {
  const options = await resolveConfig(path.join(DEFAULT_OUT, 'ispdb.json'));
  return format(JSON.stringify(document), { ...options, parser: 'json' });
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A domain two files claim is kept by the first in order and reported. */
function withoutClashes(providers: readonly IspdbProvider[], skipped: string[]): IspdbProvider[] {
  const owner = new Map<string, string>();
  return providers.flatMap((provider) => {
    const domains = provider.domains.filter((domain) => {
      const first = owner.get(domain);
      if (first !== undefined) skipped.push(`domain ${domain} of ${provider.id}: already served by ${first}`);
      else owner.set(domain, provider.id);
      return first === undefined;
    });
    return domains.length > 0 ? [{ ...provider, domains }] : [];
  });
}

/** The checkout's commit when the folder is the top of a git work tree, else null (not another repository's). */
function commitOf(checkout: string): string | null {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', checkout, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  try {
    return realpathSync(git('rev-parse', '--show-toplevel')) === realpathSync(checkout)
      ? git('rev-parse', 'HEAD')
      : null;
  } catch {
    return null;
  }
}

/** Writes ispdb.json and LICENSE into `out`; the skipped files go to stderr. */
export async function writeIspdb(checkout: string, out: string): Promise<Regenerated> {
  const licence = path.join(checkout, 'LICENSE');
  readFileSync(licence); // No licence, no data: the MPL requires its notice to travel with it.
  const result = await regenerate(checkout);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'ispdb.json'), result.json);
  copyFileSync(licence, path.join(out, 'LICENSE'));
  return result;
}

async function main(args: readonly string[]): Promise<number> {
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : DEFAULT_OUT;
  const checkout = args.find((arg, i) => !arg.startsWith('--') && (outAt < 0 || i !== outAt + 1));
  if (checkout === undefined || out === undefined) {
    process.stderr.write(
      'usage: node scripts/ispdb/regenerate.ts <thunderbird/autoconfig checkout> [--out <folder>]\n',
    );
    return 64;
  }
  try {
    const { json, skipped } = await writeIspdb(checkout, out);
    for (const line of skipped) process.stderr.write(`skipped ${line}\n`);
    const count = (JSON.parse(json) as IspdbDocument).providers.length;
    process.stderr.write(
      `wrote ${path.join(out, 'ispdb.json')}: ${count} providers, ${skipped.length} skipped\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`regenerate: ${error instanceof Error ? error.message : String(error)}\n`);
    return 66;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
