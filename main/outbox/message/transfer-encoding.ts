import { encode as base64Encode, wrap as base64Wrap } from 'nodemailer/lib/base64';
import { parseHeaderValue } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { AppError } from '../../errors/app-error.ts';
import { contentNeeds, hasLongLine, MAX_LINE_OCTETS, needsRework, type Downgrade } from './content-needs.ts';
import { asciiField, EIGHT_BIT } from './header-downgrade.ts';

// Their home is content-needs.ts; still reachable here for the modules that import them from here.
export { AS_IS, contentNeeds, MAX_LINE_OCTETS, type ContentNeeds, type Downgrade } from './content-needs.ts';

/** RFC 2045 §6.7 and §6.8: encoded lines of at most 76 characters. */
const ENCODED_LINE = 76;
/** Deeper nesting than this is left as it is (and then refused if it still does not fit). */
const MAX_DEPTH = 32;

/** One MIME entity as latin1 text (a character per byte): its header fields and its body. */
interface Entity {
  /** Each field with its folding, without the CRLF that ends it. */
  readonly fields: readonly string[];
  /** false for a part with a header and no blank line after it (nothing of the body, not even empty). */
  readonly hasBody: boolean;
  readonly body: string;
}

function parseEntity(text: string): Entity {
  if (text.startsWith('\r\n')) return { fields: [], hasBody: true, body: text.slice(2) };
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text.replace(/\r\n$/, '') : text.slice(0, end);
  const fields = head === '' ? [] : head.split(/\r\n(?![ \t])/);
  return end < 0
    ? { fields, hasBody: false, body: '' }
    : { fields, hasBody: true, body: text.slice(end + 4) };
}

function serialise(entity: Entity): string {
  if (!entity.hasBody) return entity.fields.join('\r\n') + (entity.fields.length ? '\r\n' : '');
  if (entity.fields.length === 0) return `\r\n${entity.body}`;
  return `${entity.fields.join('\r\n')}\r\n\r\n${entity.body}`;
}

function fieldValue(fields: readonly string[], name: string): string | undefined {
  const field = fields.find((f) => f.slice(0, f.indexOf(':')).trim().toLowerCase() === name);
  return field?.slice(field.indexOf(':') + 1).replace(/\r\n/g, '');
}

function withField(fields: readonly string[], name: string, value: string): string[] {
  const kept = fields.filter((f) => f.slice(0, f.indexOf(':')).trim().toLowerCase() !== name.toLowerCase());
  return [...kept, `${name}: ${value}`];
}

/**
 * The body re-encoded so that it fits: quoted-printable for text (its charset kept, so the text
 * reads the same), base64 for anything else (RFC 2045 §6). A body already encoded, or in an
 * encoding this does not know, is left alone; the final check refuses it if it still does not fit.
 */
function reencodeLeaf(entity: Entity, type: string, downgrade: Downgrade): Entity {
  const overLong = hasLongLine(entity.body);
  if (!overLong && !(downgrade.sevenBitBody && EIGHT_BIT.test(entity.body))) return entity;
  const encoding = (fieldValue(entity.fields, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  let content: Buffer;
  if (['7bit', '8bit', 'binary'].includes(encoding)) content = Buffer.from(entity.body, 'latin1');
  else if (encoding === 'base64' && !EIGHT_BIT.test(entity.body))
    content = Buffer.from(entity.body, 'base64');
  else return entity;
  const text = type.startsWith('text/');
  const body = text
    ? qpWrap(qpEncode(content), ENCODED_LINE)
    : base64Wrap(base64Encode(content), ENCODED_LINE) + (entity.body.endsWith('\r\n') ? '\r\n' : '');
  const cte = text ? 'quoted-printable' : 'base64';
  return { fields: withField(entity.fields, 'Content-Transfer-Encoding', cte), hasBody: true, body };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** RFC 2046 §5.1.1: the parts between the boundary's delimiter lines, each reworked; the rest kept. */
function reworkMultipart(
  body: string,
  boundary: string,
  childType: string,
  downgrade: Downgrade,
  depth: number,
) {
  const delimiter = new RegExp(`(^|\\r\\n)--${escapeRegExp(boundary)}(--)?[ \\t]*(?=\\r\\n|$)`, 'g');
  const parts: { start: number; end: number }[] = [];
  let partStart: number | undefined;
  for (const match of body.matchAll(delimiter)) {
    if (partStart !== undefined) parts.push({ start: partStart, end: Math.max(partStart, match.index) });
    if (match[2] !== undefined) break;
    partStart = match.index + match[0].length + 2;
  }
  let out = body;
  for (const { start, end } of parts.reverse()) {
    const part = reworkEntity(body.slice(start, end), childType, downgrade, depth + 1);
    out = out.slice(0, start) + part + out.slice(end);
  }
  return out;
}

function reworkEntity(text: string, defaultType: string, downgrade: Downgrade, depth: number): string {
  const parsed = parseEntity(text);
  // Headers inside the body (of parts, of attached messages) are body as far as SMTP is concerned.
  const asciiHeader = depth === 0 ? downgrade.asciiHeader : downgrade.sevenBitBody;
  const entity = asciiHeader ? { ...parsed, fields: parsed.fields.map(asciiField) } : parsed;
  const contentType = parseHeaderValue(fieldValue(entity.fields, 'content-type') ?? defaultType);
  const type = contentType.value.toLowerCase();
  const boundary = contentType.params.boundary;
  if (depth >= MAX_DEPTH || !entity.hasBody) return serialise(entity);
  if (type.startsWith('multipart/') && boundary) {
    const childType = type === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const body = reworkMultipart(entity.body, boundary, childType, downgrade, depth);
    return serialise({ ...entity, body });
  }
  // RFC 2046 §5.2.1: a message/rfc822 part is never encoded itself; the parts inside it are.
  if (type === 'message/rfc822' || type === 'message/global') {
    return serialise({ ...entity, body: reworkEntity(entity.body, 'text/plain', downgrade, depth + 1) });
  }
  const leaf = reencodeLeaf(entity, type, downgrade);
  // A body that now says how it is encoded needs MIME-Version to be read as MIME (RFC 2045 §4).
  const mime = depth === 0 && leaf !== entity && fieldValue(leaf.fields, 'mime-version') === undefined;
  return serialise(mime ? { ...leaf, fields: [...leaf.fields, 'MIME-Version: 1.0'] } : leaf);
}

/**
 * The message (CRLF line endings) with every part that has a line over 998 octets re-encoded, and,
 * for a server without 8BITMIME or SMTPUTF8, the body in 7 bits and the header in ASCII. Text keeps
 * its bytes: decoding the result gives the original content. The same message comes back when
 * nothing needed rework. Throws `line_too_long` or `eightbitmime_unsupported` when some part (one
 * already quoted-printable, a preamble) still does not fit, and `smtputf8_unsupported` for a header
 * with no ASCII form.
 */
export function fitForTransport(message: Buffer, downgrade: Downgrade): Buffer {
  // Stored bytes may end lines in a bare LF (records of older builds); each goes out as CRLF
  // (RFC 5321 §2.3.8, as nodemailer sends them), so lines are measured and parts found that way.
  if (!needsRework(message, downgrade)) return message;
  const text = message.toString('latin1').replace(/\r?\n/g, '\r\n');
  const reworked = reworkEntity(text, 'text/plain', downgrade, 0);
  if (hasLongLine(reworked)) {
    throw new AppError(
      'line_too_long',
      `The message has a line longer than ${MAX_LINE_OCTETS} octets (RFC 5321 §4.5.3.1.6) in a part that cannot be re-encoded.`,
      { field: 'message' },
    );
  }
  const out = Buffer.from(reworked, 'latin1');
  if (downgrade.sevenBitBody && contentNeeds(out).eightBitBody) {
    throw new AppError(
      'eightbitmime_unsupported',
      'The server does not accept 8-bit mail (8BITMIME), and this message has 8-bit bytes in a part that cannot be re-encoded.',
    );
  }
  return out;
}
