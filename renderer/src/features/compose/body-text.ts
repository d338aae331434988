const BLOCKS = new Set(['P', 'DIV', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'PRE', 'UL', 'OL']);

function walk(node: Node, out: string[]): void {
  if (node.nodeType === Node.TEXT_NODE) {
    out.push(node.textContent ?? '');
    return;
  }
  if (!(node instanceof Element)) return;
  if (node.tagName === 'BR') {
    out.push('\n');
    return;
  }
  if (node.tagName === 'LI') out.push(node.parentElement?.tagName === 'OL' ? '1. ' : '- ');
  for (const child of node.childNodes) walk(child, out);
  if (node.tagName === 'A') {
    const href = node.getAttribute('href');
    if (href && href !== node.textContent) out.push(` <${href}>`);
  }
  if (BLOCKS.has(node.tagName) || node.tagName === 'LI') out.push('\n');
}

/** The plain-text alternative of the editor's HTML (RFC 2046 multipart/alternative). */
export function htmlToText(html: string): string {
  const document = new DOMParser().parseFromString(html, 'text/html');
  const out: string[] = [];
  walk(document.body, out);
  return out
    .join('')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text as editor paragraphs, for switching from plain-text mode to rich text. */
export function textToHtml(text: string): string {
  if (text === '') return '';
  return text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

// The signature goes below the RFC 3676 §4.3 separator, so mail clients can recognise and trim it.
const TEXT_SEPARATOR = '\n\n-- \n';
const HTML_OPEN = '<div class="signature">-- <br>';

export interface Signature {
  readonly text: string;
  readonly html: string;
}

export function withSignature(body: { text: string; html?: string }, signature: Signature) {
  if (!signature.text && !signature.html) return body;
  const sigText = signature.text || htmlToText(signature.html);
  const sigHtml = signature.html || textToHtml(signature.text);
  return {
    text: `${body.text}${TEXT_SEPARATOR}${sigText}`,
    ...(body.html === undefined ? {} : { html: `${body.html}${HTML_OPEN}${sigHtml}</div>` }),
  };
}

/** Takes off a signature `withSignature` added, so a message taken back does not get it twice. */
export function withoutSignature(body: { text: string; html?: string }) {
  const textAt = body.text.lastIndexOf(TEXT_SEPARATOR);
  const htmlAt = body.html?.lastIndexOf(HTML_OPEN) ?? -1;
  return {
    text: textAt >= 0 ? body.text.slice(0, textAt) : body.text,
    ...(body.html === undefined ? {} : { html: htmlAt >= 0 ? body.html.slice(0, htmlAt) : body.html }),
  };
}
