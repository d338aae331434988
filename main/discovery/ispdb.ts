import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';
import type { ClientConfig } from './discovery-ports.ts';

/**
 * The bundled copy of Thunderbird's ISPDB (https://github.com/thunderbird/autoconfig, MPL-2.0),
 * reduced to what a sending client needs: `build/ispdb/ispdb.json`, written by
 * scripts/ispdb/regenerate.ts with our own parser (client-config.ts), so the data and the parser
 * agree. Its notice and licence ship beside it (build/ispdb/README.md, LICENSE).
 */
export const ISPDB_FORMAT = 1;

const outgoingServerEntry = z.object({
  hostname: z.string().min(1).max(320),
  port: z.number().int().min(1).max(65535),
  socketType: z.enum(['SSL', 'STARTTLS', 'plain']),
  username: z.string().max(320),
  authentication: z.array(z.string().max(320)).min(1),
});

const provider = z.object({
  id: z.string(),
  name: z.string().optional(),
  domains: z.array(z.string().min(1)).min(1),
  outgoing: z.array(outgoingServerEntry).min(1),
});

export const ispdbDocument = z.object({
  format: z.literal(ISPDB_FORMAT),
  source: z.string(),
  /** The upstream commit it was made from; null when it was made from files outside a git checkout. */
  commit: z.string().nullable(),
  licence: z.literal('MPL-2.0'),
  providers: z.array(provider),
});
export type IspdbDocument = z.infer<typeof ispdbDocument>;
export type IspdbProvider = z.infer<typeof provider>;

/** The providers by address domain. */
export class Ispdb {
  private readonly byName: ReadonlyMap<string, ClientConfig>;

  constructor(providers: readonly IspdbProvider[]) {
    const byName = new Map<string, ClientConfig>();
    for (const { id, name, domains, outgoing } of providers) {
      const config: ClientConfig = {
        id,
        ...(name === undefined ? {} : { displayName: name }),
        domains,
        outgoing,
      };
      for (const domain of domains.map((d) => d.toLowerCase())) {
        // A domain claimed twice keeps its first provider (regenerate.ts reports such a clash).
        if (!byName.has(domain)) byName.set(domain, config);
      }
    }
    this.byName = byName;
  }

  /** The provider serving exactly this domain (no parent domains: a subdomain may be anyone's). */
  byDomain(domain: string): ClientConfig | undefined {
    return this.byName.get(domain.toLowerCase().replace(/\.$/, ''));
  }

  /** How many domains it knows. */
  get domainCount(): number {
    return this.byName.size;
  }
}

/**
 * Reads the bundled ISPDB; a missing file means an empty one (a build without it still works, the
 * other sources answer). Synchronous, like the OAuth2 client IDs: read once as the core is built.
 * A file of a newer format than this build knows is refused, never half-read.
 */
export function loadIspdb(file: string): Ispdb {
  const text = readIfPresent(file);
  if (text === undefined) return new Ispdb([]);
  const json = jsonOf(text);
  const format = z.object({ format: z.number() }).safeParse(json);
  if (format.success && format.data.format > ISPDB_FORMAT) {
    throw new AppError(
      'autoconfig_invalid',
      `${file} is in ISP database format ${format.data.format}, newer than this Outbox reads (${ISPDB_FORMAT}).`,
    );
  }
  const parsed = ispdbDocument.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'autoconfig_invalid',
      `${file} is not a valid ISP database (build/ispdb/README.md says how to regenerate it).`,
    );
  }
  return new Ispdb(parsed.data.providers);
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const jsonOf = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/**
 * Where the bundled ISPDB is, as for build/oauth-clients.json: in the packaged app, the copy
 * electron-builder put in its resources folder (pass `process.resourcesPath`); otherwise the source
 * tree's build/ispdb/, two folders above this module as above the built out/main/index.js.
 */
export function ispdbFile(resourcesPath?: string): string {
  return resourcesPath === undefined
    ? path.join(import.meta.dirname, '..', '..', 'build', 'ispdb', 'ispdb.json')
    : path.join(resourcesPath, 'ispdb', 'ispdb.json');
}
