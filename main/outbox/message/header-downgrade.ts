import addressparser from 'nodemailer/lib/addressparser';
import MimeNode from 'nodemailer/lib/mime-node';
import { buildHeaderValue, foldLines, parseHeaderValue } from 'nodemailer/lib/mime-funcs';
import { AppError } from '../../errors/app-error.ts';

/** A byte outside ASCII, in text read as latin1 (one character per byte). */
export const EIGHT_BIT = /[\x80-\xff]/;

const NON_ASCII = /[^\p{ASCII}]/u;
const ADDRESS_FIELDS = new Set(['from', 'sender', 'reply-to', 'to', 'cc', 'bcc']);
const PARAMETER_FIELDS = new Set(['content-type', 'content-disposition']);
/** Fields whose syntax has no room for encoded words (RFC 2047 §5): their UTF-8 cannot be downgraded. */
const OPAQUE_FIELDS = new Set([
  'message-id',
  'in-reply-to',
  'references',
  'content-id',
  'date',
  'received',
  'return-path',
  'mime-version',
  'content-transfer-encoding',
  'dkim-signature',
]);

const unsupported = (what: string) =>
  new AppError(
    'smtputf8_unsupported',
    `The server does not accept international mail (SMTPUTF8), and ${what} cannot be written in ASCII.`,
  );

/**
 * One header field (latin1, folding included, no final CRLF) in ASCII, for a server that was not
 * told SMTPUTF8 (RFC 6531): UTF-8 text becomes RFC 2047 encoded words, display names included,
 * parameters RFC 2231 form, IDN domains A-labels. What has no ASCII form (an address with a
 * non-ASCII local part, a Message-ID) is refused with `smtputf8_unsupported`.
 */
export function asciiField(raw: string): string {
  if (!EIGHT_BIT.test(raw)) return raw;
  const colon = raw.indexOf(':');
  const name = raw.slice(0, colon);
  const key = name.toLowerCase();
  const value = Buffer.from(raw.slice(colon + 1).replace(/\r\n(?=[ \t])/g, ''), 'latin1')
    .toString('utf8')
    .trim();
  if (OPAQUE_FIELDS.has(key) || key.startsWith('resent-')) throw unsupported(`its ${name} field`);
  let encoded: string;
  if (ADDRESS_FIELDS.has(key)) {
    const international = addressparser(value, { flatten: true }).find((a) =>
      NON_ASCII.test(a.address.slice(0, a.address.lastIndexOf('@'))),
    );
    if (international) throw unsupported(`the address ${international.address} in its ${name} field`);
    encoded = MimeNode.encodeHeaderValue(name, value);
  } else if (PARAMETER_FIELDS.has(key)) {
    encoded = buildHeaderValue(parseHeaderValue(value));
  } else {
    encoded = MimeNode.encodeHeaderValue(name, value);
  }
  if (NON_ASCII.test(encoded)) throw unsupported(`its ${name} field`);
  return foldLines(`${name}: ${encoded}`, 76).replace(/\r\n$/, '');
}
