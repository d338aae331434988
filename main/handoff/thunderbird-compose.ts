import type { ComposeRequest } from './compose-request.ts';
import { assertHandoffLength, composeRequestOf } from './handoff-fields.ts';
import { parseMailto } from './mailto.ts';
import { percentDecode } from './percent-decoding.ts';

/**
 * Splits Thunderbird's `-compose` argument into `name=value` pairs as its compose window does
 * (GetArgs in comm-central's MsgComposeCommands.js): pairs are separated by commas; a value that
 * starts with a quote (' or ") right after `=` runs to the same quote followed by a comma or the end,
 * commas included.
 */
function composePairs(value: string): string[] {
  const pairs: string[] = [];
  let current = '';
  let quote = '';
  for (let i = 0; i < value.length; i++) {
    const char = value.charAt(i);
    const next = value.charAt(i + 1);
    if (quote !== '' && char === quote && (next === ',' || next === '')) quote = '';
    else if (quote === '' && (char === "'" || char === '"') && value.charAt(i - 1) === '=') quote = char;
    if (char === ',' && quote === '') {
      pairs.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  pairs.push(current);
  return pairs;
}

/** A quoted value is taken as written; a bare one is percent-decoded (GetArgs again). */
function pairValue(raw: string, name: string): string {
  const quoted = raw.length >= 2 && (raw[0] === "'" || raw[0] === '"') && raw.endsWith(raw[0]);
  return quoted ? raw.slice(1, -1) : percentDecode(raw, name);
}

/**
 * The files of an `attachment` value. Thunderbird splits it at every comma; xdg-email writes
 * plain absolute paths joined by commas without escaping any in a name (`/tmp/a, b.pdf`). Split
 * only where the next item starts as a path or file: URI does, so such a name survives; a comma
 * right before `/` stays ambiguous, as it is for Thunderbird.
 */
function attachmentList(value: string): string[] {
  return value
    .split(/,(?=\s*(?:file:|\/|[A-Za-z]:[\\/]|\\\\))/i)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * The compose request in Thunderbird's `-compose` argument, as xdg-email and many programs write
 * it: `to='a@b,c@d',cc='…',bcc='…',subject=…,body=…,attachment='file:///…,/path/…'`, or a whole
 * `mailto:` URL. It comes from a program on this computer, never a web page, so it may name files
 * to attach. Names Outbox does not take (format, from, message, preselectid, …) are ignored; the
 * first of two pairs with one name counts, as in Thunderbird. Throws an AppError as parseMailto does.
 */
export function parseComposeArgument(value: string): ComposeRequest {
  if (/^mailto:/i.test(value.trim())) return parseMailto(value.trim(), 'program');
  assertHandoffLength(value, '-compose argument');
  const found = new Map<string, string>();
  for (const pair of composePairs(value)) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const name = pair.slice(0, equals).trim().toLowerCase();
    if (!found.has(name)) found.set(name, pair.slice(equals + 1));
  }
  const field = (name: string) => {
    const raw = found.get(name);
    return raw === undefined ? undefined : pairValue(raw, name);
  };
  const list = (name: string) => {
    const text = field(name);
    return text === undefined ? [] : [text];
  };
  const subject = field('subject');
  const body = field('body');
  return composeRequestOf(
    {
      to: list('to'),
      cc: list('cc'),
      bcc: list('bcc'),
      ...(subject === undefined ? {} : { subject }),
      ...(body === undefined ? {} : { body }),
      attachments: attachmentList(field('attachment') ?? ''),
    },
    'program',
  );
}

// Thunderbird takes -compose and --compose alike (nsICommandLine), and Windows' /compose; an
// `=value` form is how Chromium writes a switch with a value.
const COMPOSE_SWITCH = /^(?:--?|\/)compose(?:=(.*))?$/is;

/**
 * The compose request in a process's argv, for a first start and for a second instance's argv:
 * `-compose VALUE` (source `program`), or else the first bare `mailto:` argument (source `link`:
 * the OS passes a clicked link this way, so it never attaches files). Chromium's switches that
 * Electron adds between them (`--allow-file-access-from-files`, …) are skipped. After a bare `--`
 * nothing is a switch: a URL handler registered as `outbox -- "%1"` cannot be made to pass
 * `-compose` by a link holding quotes. Undefined when argv hands over no message.
 */
export function requestFromArgv(argv: readonly string[]): ComposeRequest | undefined {
  const end = argv.indexOf('--');
  const switches = end === -1 ? argv : argv.slice(0, end);
  for (let i = 0; i < switches.length; i++) {
    const match = COMPOSE_SWITCH.exec(switches[i] ?? '');
    if (!match) continue;
    if (match[1] !== undefined) return parseComposeArgument(match[1]);
    const value = switches.slice(i + 1).find((arg) => !arg.startsWith('--'));
    // A bare -compose opens an empty compose window, as in Thunderbird.
    return value === undefined
      ? composeRequestOf({ to: [], cc: [], bcc: [], attachments: [] }, 'program')
      : parseComposeArgument(value);
  }
  const link = argv.find((arg) => /^mailto:/i.test(arg));
  return link === undefined ? undefined : parseMailto(link, 'link');
}
