import { AppError } from '../errors/app-error.ts';
import type { ComposeRequest, HandoffSource } from './compose-request.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { assertHandoffLength, composeRequestOf } from './handoff-fields.ts';
import { percentDecode } from './percent-decoding.ts';

const SCHEME = /^mailto:/i;

interface MailtoFields {
  to: string[];
  cc: string[];
  bcc: string[];
  subject?: string;
  body: string[];
  inReplyTo?: string;
  attachments: string[];
}

/**
 * Sorts one `hfname=hfvalue` pair (RFC 6068 §2) into `fields`. Names are case-insensitive; several
 * to, cc and bcc add up and several bodies are joined by line breaks, as Thunderbird does; a later
 * subject or in-reply-to replaces an earlier one. Anything else (from, reply-to, unknown names) is
 * ignored: RFC 6068 §3 lets a client drop header fields it does not trust.
 */
function addPair(fields: MailtoFields, name: string, value: string, source: HandoffSource): void {
  const decode = () => percentDecode(value, name);
  switch (name) {
    case 'to':
    case 'cc':
    case 'bcc':
      fields[name].push(decode());
      break;
    case 'subject':
      fields.subject = decodeEncodedWords(decode());
      break;
    case 'body':
      fields.body.push(decode());
      break;
    case 'in-reply-to':
      fields.inReplyTo = decode();
      break;
    case 'attach':
    case 'attachment':
      // Never decoded from a link, so a web page's attach= cannot even fail the link.
      if (source === 'program') fields.attachments.push(decode());
      break;
    default:
      break;
  }
}

/**
 * The compose request a `mailto:` URL (RFC 6068) asks for: `mailto:a@b,c@d?cc=…&subject=…`,
 * `mailto:?to=…`, percent-encoded UTF-8. `attach=` and `attachment=` (a path or a file: URI) count
 * only when `source` is `program`; from a `link` they are dropped. Throws an AppError on anything
 * that cannot be used: `handoff_invalid`, or the code compose gives the same input
 * (`invalid_address`, `header_injection`, `too_many_recipients`).
 */
export function parseMailto(url: string, source: HandoffSource): ComposeRequest {
  assertHandoffLength(url, 'mailto: link');
  if (!SCHEME.test(url)) {
    throw new AppError('handoff_invalid', 'This is not a mailto: link: it must start with "mailto:".');
  }
  // RFC 3986 §3.5: a fragment is not part of what the URI names; mailto: gives it no meaning.
  const hash = url.indexOf('#');
  const rest = url.slice('mailto:'.length, hash === -1 ? undefined : hash);
  const question = rest.indexOf('?');
  const path = question === -1 ? rest : rest.slice(0, question);
  const fields: MailtoFields = {
    to: [percentDecode(path, 'to')],
    cc: [],
    bcc: [],
    body: [],
    attachments: [],
  };
  if (question !== -1) {
    for (const pair of rest.slice(question + 1).split('&')) {
      const equals = pair.indexOf('=');
      if (equals <= 0) continue;
      const name = percentDecode(pair.slice(0, equals), 'a field name').toLowerCase();
      addPair(fields, name, pair.slice(equals + 1), source);
    }
  }
  const { body, ...others } = fields;
  return composeRequestOf({ ...others, ...(body.length > 0 ? { body: body.join('\n') } : {}) }, source);
}
