import type { z } from 'zod';

/** Copies a value `schema` has already accepted into what its parse returned. */
export type AcceptedCopy = (value: unknown) => unknown;

type Def = {
  readonly type: string;
  readonly checks?: readonly z.core.$ZodCheck[];
  readonly coerce?: boolean;
} & Record<string, unknown>;

/** Kinds whose parse returns the value it was given, unless a check rewrites it. */
const AS_GIVEN = new Set(['string', 'number', 'boolean', 'literal', 'enum', 'null']);

/**
 * Whether a parse may return something other than what it checked: coercion, a check that rewrites
 * the value (`.trim()`, `.toLowerCase()`, `.overwrite()`), or a custom one, which may.
 */
function rewrites(def: Def): boolean {
  if (def.coerce === true) return true;
  return (def.checks ?? []).some((check) => {
    const kind = check._zod.def.check;
    return kind === 'overwrite' || kind === 'custom';
  });
}

const givenBack = (def: Def): boolean => AS_GIVEN.has(def.type) && !rewrites(def);

/**
 * What `schema.parse(value)` returns, for a value the same schema accepted before, without checking
 * it again: an object's parse returns its shape's keys, in the shape's order, and drops the rest;
 * strings, numbers, booleans, literals and enums come back as they were. Undefined for a schema
 * whose parse may make anything else (a transform, a default, a preprocess, coercion, a check that
 * rewrites, an object that keeps unknown keys, a z.record): that one has to be parsed.
 *
 * Only for values checked by this schema already and unchanged since: it checks nothing.
 */
export function acceptedCopy(schema: z.ZodType): AcceptedCopy | undefined {
  const def = schema._zod.def as unknown as Def;
  if (rewrites(def)) return undefined;
  if (givenBack(def)) return (value) => value;
  switch (def.type) {
    case 'optional': {
      const inner = acceptedCopy(def.innerType as z.ZodType);
      return inner && ((value) => (value === undefined ? undefined : inner(value)));
    }
    case 'array': {
      const element = acceptedCopy(def.element as z.ZodType);
      return element && ((value) => (value as unknown[]).map(element));
    }
    case 'union': {
      const options = def.options as z.ZodType[];
      return options.every((option) => givenBack(option._zod.def as unknown as Def))
        ? (value) => value
        : undefined;
    }
    case 'object': {
      // Unknown keys dropped (the default), or refused (strict): kept or checked, they are not copied.
      const catchall = (def.catchall as z.ZodType | undefined)?._zod.def.type;
      if (catchall !== undefined && catchall !== 'never') return undefined;
      return objectCopy(def.shape as Record<string, z.ZodType>);
    }
    default:
      return undefined;
  }
}

function objectCopy(shape: Record<string, z.ZodType>): AcceptedCopy | undefined {
  const fields: [string, AcceptedCopy][] = [];
  for (const [key, field] of Object.entries(shape)) {
    const copy = acceptedCopy(field);
    if (!copy) return undefined;
    fields.push([key, copy]);
  }
  return (value) => {
    const given = value as Record<string, unknown>;
    const copied: Record<string, unknown> = {};
    // A key the input has is in zod's output, in the shape's order; one it lacks is not.
    for (const [key, copy] of fields) if (Object.hasOwn(given, key)) copied[key] = copy(given[key]);
    return copied;
  };
}
