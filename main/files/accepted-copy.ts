import type { z } from 'zod';

/** Copies a value `schema` has already accepted into what its parse returned. */
export type AcceptedCopy = (value: unknown) => unknown;

type Def = { readonly type: string; readonly checks?: readonly z.core.$ZodCheck[] } & Record<string, unknown>;

/** Kinds whose parse returns the value it was given, unless a check rewrites it. */
const AS_GIVEN = new Set(['string', 'number', 'boolean', 'literal', 'enum', 'null']);

/** Whether parsing returns the value itself: no check rewrites it (`.trim()`, `.toLowerCase()`). */
function givenBack(def: Def): boolean {
  return AS_GIVEN.has(def.type) && !(def.checks ?? []).some((check) => check._zod.def.check === 'overwrite');
}

/**
 * What `schema.parse(value)` returns, for a value the same schema accepted before, without checking
 * it again: an object's parse returns its shape's keys, in the shape's order, and drops the rest;
 * strings, numbers, booleans, literals and enums come back as they were. Undefined for a schema
 * with anything whose parse makes something else (a transform, a default, a preprocess, a check
 * that rewrites, a record): that one has to be parsed.
 *
 * For data read back that was parsed once already and has not changed since (the queue log's
 * records, checked by their CRC-32): parsing it again cost ~10 µs a record (issue 17).
 */
export function acceptedCopy(schema: z.ZodType): AcceptedCopy | undefined {
  const def = schema._zod.def as unknown as Def;
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
    case 'object':
      return objectCopy(def.shape as Record<string, z.ZodType>);
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
    // A key absent from the input stays absent, as in zod's output (JSON has no undefined).
    for (const [key, copy] of fields) if (given[key] !== undefined) copied[key] = copy(given[key]);
    return copied;
  };
}
