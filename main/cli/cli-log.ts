/** Text from data on disk or a server: no terminal escapes or line breaks on the user's screen. */
// eslint-disable-next-line no-control-regex
export const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

/** A detail worth printing: plain values and an error's message; anything else (objects) is left out. */
function detailText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Error) return value.message.split('\n')[0];
  return undefined;
}

/**
 * One warning or error for stderr: the message on its line, the details (the file kept, the
 * message's id, the error) on a second one. The core's messages and details never hold a secret
 * (see Logger), so both are printed as they are.
 */
export function logLines(
  level: 'warning' | 'error',
  message: string,
  details?: Record<string, unknown>,
): string {
  const shown = Object.entries(details ?? {}).flatMap(([key, value]) => {
    const text = detailText(value);
    return text === undefined ? [] : [`${key}: ${printable(text)}`];
  });
  const first = `outbox: ${level}: ${printable(message)}\n`;
  return shown.length === 0 ? first : `${first}outbox:   ${shown.join('; ')}\n`;
}
