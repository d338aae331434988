import { z } from 'zod';
import { HEADER_INJECTION_ISSUE } from './errors.ts';
import { lazySchema } from './lazy-schema.ts';

/** RFC 5322 §2.1.1: a line is at most 998 characters, not counting its CRLF. */
export const MAX_LINE_LENGTH = 998;
/** CR, LF and NUL are never part of a header value: a line break would start a new field. */
export const HEADER_UNSAFE = /[\r\n\0]/;

/**
 * A string that will end up in a header: single line, no NUL. Sanitised here, where data enters; the
 * refusal carries its own code, so every door (bridge, CLI) answers the attack with header_injection.
 */
export const headerText = (max = MAX_LINE_LENGTH) =>
  z
    .string()
    .max(max)
    .refine((s) => !HEADER_UNSAFE.test(s), {
      message: 'must not contain line breaks or NUL characters',
      params: HEADER_INJECTION_ISSUE,
    });

export const id = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be an identifier'),
);
export const isoTime = lazySchema(() => z.iso.datetime({ offset: true }));
export const filePath = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((s) => !s.includes('\0'), { message: 'must not contain NUL characters' }),
);

type PatchField<F extends z.ZodType> =
  F extends z.ZodDefault<infer Inner>
    ? z.ZodOptional<Inner>
    : F extends z.ZodOptional<infer Inner>
      ? z.ZodOptional<z.ZodNullable<Inner>>
      : z.ZodOptional<F>;

function patchField(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodDefault) return z.optional(field.unwrap() as z.ZodType);
  if (field instanceof z.ZodOptional) return z.optional(z.nullable(field.unwrap() as z.ZodType));
  return z.optional(field);
}

/**
 * A schema for partial updates: a field left out stays as it is; an optional field set to `null`
 * is removed. Plain `.partial()` would keep each field's default and so silently reset every field
 * the patch leaves out.
 */
export function patchOf<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>) {
  const fields = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [key, patchField(field as z.ZodType)]),
  ) as { [K in keyof Shape]: PatchField<Shape[K] & z.ZodType> };
  return z.strictObject(fields);
}
