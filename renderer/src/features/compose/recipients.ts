import { isValidAddress, mailboxAddressText } from '../../../../preload/contract/address.ts';

/** `a@example.org` or `Ann <a@example.org>`, checked by the rules main enqueues by. */
export function isValidRecipient(text: string): boolean {
  const address = mailboxAddressText(text);
  return address !== undefined && isValidAddress(address);
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
