import { isValidAddress } from '../../../../preload/contract/address.ts';

const NAMED = /^(?:"[^"]*"|[^<>"]*)\s*<([^<>]+)>$/;

/** `a@example.org` or `Ann <a@example.org>`, the address checked by the rule main enqueues by. */
export function isValidRecipient(text: string): boolean {
  const trimmed = text.trim();
  const named = NAMED.exec(trimmed);
  return isValidAddress(named?.[1] ?? trimmed);
}

/** Splits pasted text at commas, semicolons and line breaks, except inside quotes or angle brackets. */
export function splitAddresses(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let bracketed = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (char === '<' && !quoted) bracketed = true;
    else if (char === '>' && !quoted) bracketed = false;
    if (!quoted && !bracketed && (char === ',' || char === ';' || char === '\n' || char === '\r')) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}
