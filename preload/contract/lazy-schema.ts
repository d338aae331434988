import { z } from 'zod';

/**
 * A schema built on first use instead of at import. Building zod's classic schemas is most of what
 * a short command does (issue 17: ~250 ms of an empty `outbox queue list`, nearly all of it schemas
 * that command never parses with). The value stands for the schema itself: `parse`, `.extend`,
 * `instanceof z.ZodObject` and use inside other schemas all reach the schema `build` returns, built
 * once, when something first reads it.
 */
export function lazySchema<S extends z.ZodType>(build: () => S): S {
  let schema: S | undefined;
  const built = (): S => {
    if (schema === undefined) {
      schema = build();
      // Metadata (`.describe`) is looked up by identity: the stand-in carries the schema's own, so
      // z.toJSONSchema describes a lazy schema nested in another as it would the schema.
      const meta = z.globalRegistry.get(schema);
      if (meta !== undefined) z.globalRegistry.add(standIn, meta);
    }
    return schema;
  };
  const standIn = new Proxy({} as S, {
    get: (_target, key) => Reflect.get(built(), key, built()) as unknown,
    has: (_target, key) => Reflect.has(built(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(built()),
    set: (_target, key, value) => Reflect.set(built(), key, value),
  });
  return standIn;
}
