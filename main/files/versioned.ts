import { z } from 'zod';
import { AppError } from '../errors/app-error.ts';

/** Turns a stored document of format N into format N + 1. */
export type Migration = (document: Record<string, unknown>) => Record<string, unknown>;

/**
 * A stored format: what each store (accounts, queue records, drafts, sent log) reads and writes.
 * Any change to what is on disk bumps `version` and registers the step from the previous one, so
 * what an older Outbox wrote is upgraded as it is read.
 */
export interface StoredFormat {
  /** What the data is called in a sentence for people: "saved accounts", "draft". */
  readonly name: string;
  /** The format this build writes. */
  readonly version: number;
  /** Keyed by the version each step upgrades from. */
  readonly migrations: Readonly<Record<number, Migration>>;
  /** The format of a document with no `version` field: stores that wrote none at first say 1. */
  readonly unversioned?: number;
}

/**
 * Written by a later Outbox. Refused, never rewritten or set aside: the data stays as it is for the
 * build that understands it (a downgrade must not lose anything).
 */
export class NewerFormatError extends AppError {
  constructor(format: StoredFormat, found: number) {
    super(
      'storage_failed',
      `Outbox cannot read the ${format.name}: format ${found} comes from a newer version of Outbox ` +
        `(this one reads up to ${format.version}). Update Outbox; nothing was changed.`,
    );
  }
}

/**
 * Brings a stored document up to `format.version`, one registered step at a time. Throws
 * `NewerFormatError` for a document from a later build and a plain AppError for one that is not a
 * document at all or has no step; the caller still checks the result against its schema.
 */
export function upgrade(raw: unknown, format: StoredFormat): Record<string, unknown> {
  if (!isDocument(raw)) {
    throw new AppError('storage_failed', `The ${format.name} could not be read (damaged).`);
  }
  let document = raw;
  const stated = document.version;
  let version = typeof stated === 'number' ? stated : stated === undefined ? (format.unversioned ?? 0) : 0;
  if (version > format.version) throw new NewerFormatError(format, version);
  while (version < format.version) {
    const step = format.migrations[version];
    if (!step) {
      throw new AppError('storage_failed', `The ${format.name} (format ${version}) cannot be upgraded.`);
    }
    document = { ...step(document), version: version + 1 };
    version += 1;
  }
  return document;
}

function isDocument(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/**
 * `schema` (today's format) reading any format this build knows: a document is upgraded before it
 * is checked. Parsing throws `NewerFormatError`, rather than failing, for one from a later Outbox:
 * that is not damage, and must not be set aside or skipped as damage is.
 */
export function storedSchema<T extends z.ZodType>(format: StoredFormat, schema: T) {
  return z.preprocess((raw, context) => {
    if (!isDocument(raw)) return raw;
    try {
      return upgrade(raw, format);
    } catch (error) {
      // A version this build cannot upgrade from is damage, reported as a failed parse like any
      // other (safeParse does not catch what a preprocess throws); only a newer format throws.
      if (error instanceof NewerFormatError) throw error;
      context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      return z.NEVER;
    }
  }, schema);
}
