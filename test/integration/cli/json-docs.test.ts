import fsp from 'node:fs/promises';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { JSON_OUTPUTS, queueListJson } from '../../../main/cli/json-output.ts';

const docs = await fsp.readFile('docs/cli.md', 'utf8');

/** The fenced JSON block that follows `marker` in docs/cli.md. */
function blockAfter(marker: string): unknown {
  const start = docs.indexOf(marker);
  expect(start, marker).toBeGreaterThanOrEqual(0);
  const block = /```json\n([\s\S]*?)\n```/.exec(docs.slice(start));
  return JSON.parse(block?.[1] ?? 'null');
}

describe('docs/cli.md documents the --json output the CLI prints', () => {
  it.each(Object.entries(JSON_OUTPUTS))(
    'the JSON Schema of "%s" is the one the CLI validates against',
    (name, schema) => {
      expect(blockAfter(`<!-- json-schema: ${name} -->`)).toEqual(z.toJSONSchema(schema));
    },
  );

  it('the queue list example is valid output', () => {
    expect(() => queueListJson.parse(blockAfter('Example (`outbox queue list --json`)'))).not.toThrow();
  });
});
