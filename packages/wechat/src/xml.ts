/**
 * WeChat's flat XML: `<xml><field><![CDATA[value]]></field>…</xml>`.
 * Parsing is strict: DOCTYPE/ENTITY declarations (XXE, billion laughs) and
 * oversized bodies are refused before xml2js sees them.
 */
import { Parser } from 'xml2js';
import { WechatXmlError } from './errors';

export type FlatXml = Record<string, string>;

/** WeChat's own messages are a few KB; 64 KB leaves ample room and bounds memory. */
export const MAX_XML_BYTES = 64 * 1024;

/** Key xml2js uses for an element's text; `#` cannot start an XML name, so it never collides with a field. */
const TEXT_KEY = '#text';

/**
 * Prefixed to every element name inside xml2js. xml2js tests `name in obj`, so without it an element
 * named after an inherited property (`<constructor>`, a valid snake_case name) reads as a repeated
 * field. `<` cannot occur in an XML name, so a prefixed key never meets `$`, `#text` or a real name.
 */
const NAME_PREFIX = '<';
const prefixName = (name: string): string => NAME_PREFIX + name;

/** A fresh parser per document: xml2js parsers are stateful and unsafe to reuse after an error. */
function newParser(): Parser {
  return new Parser({
    explicitArray: false,
    explicitRoot: true,
    trim: false,
    normalize: false,
    explicitCharkey: false,
    charkey: TEXT_KEY,
    mergeAttrs: false,
    async: false,
    strict: true,
    tagNameProcessors: [prefixName],
  });
}

export interface ParseOptions {
  /** Root element name; `xml` for everything except the decrypted refund notification (`root`). */
  root?: string;
  maxBytes?: number;
  /**
   * Who sent the XML, for the errors' `source`: 'inbound' (default) for a message posted to us,
   * 'upstream' for WeChat's answer to our own call (whose outcome an unreadable answer leaves unknown).
   */
  source?: 'inbound' | 'upstream';
}

export async function parseXml(input: string | Buffer, options: ParseOptions = {}): Promise<FlatXml> {
  const root = options.root ?? 'xml';
  const maxBytes = options.maxBytes ?? MAX_XML_BYTES;
  const source = options.source ?? 'inbound';
  if (typeof input !== 'string' && !Buffer.isBuffer(input)) {
    throw new WechatXmlError('body must be a string or Buffer', 'MALFORMED', source);
  }
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size === 0) throw new WechatXmlError('empty body', 'EMPTY', source);
  if (size > maxBytes) throw new WechatXmlError(`XML body exceeds ${maxBytes} bytes`, 'TOO_LARGE', source);
  // The BOM is stripped here rather than by xml2js so that sax positions index into `text`.
  // XML 1.0 §2.11: every parser reads CR LF and lone CR as LF, inside CDATA too; sax does not,
  // so it is done here, and values are signed and compared as WeChat's own parser sees them.
  const text = (typeof input === 'string' ? input : input.toString('utf8'))
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new WechatXmlError('DOCTYPE and ENTITY declarations are not allowed', 'DOCTYPE', source);
  }
  // sax lets these through inside CDATA; refusing them here keeps every parsed field re-buildable by buildXml.
  if (hasNonXmlChar(text)) {
    throw new WechatXmlError('body contains a character XML cannot carry', 'INVALID_CHAR', source);
  }

  const parser = newParser();
  // xml2js resolves as soon as the root closes and silently drops whatever follows
  // (`<xml>…</xml><xml>…</xml>` would smuggle a second document), so record where the root ended.
  let rootEnd = -1;
  parser.on('end', () => {
    // `saxParser` is public on xml2js parsers but missing from @types/xml2js.
    rootEnd = (parser as unknown as { saxParser: { position: number } }).saxParser.position;
  });
  let doc: unknown;
  try {
    doc = await parser.parseStringPromise(text);
  } catch {
    throw new WechatXmlError('malformed XML', 'MALFORMED', source);
  }
  if (!doc || typeof doc !== 'object' || !Object.hasOwn(doc, prefixName(root))) {
    throw new WechatXmlError(`root element must be <${root}>`, 'BAD_ROOT', source);
  }
  if (rootEnd < 0 || text.slice(rootEnd).trim() !== '') {
    throw new WechatXmlError('content after the root element', 'MALFORMED', source);
  }
  const body = (doc as Record<string, unknown>)[prefixName(root)];
  if (body === undefined || body === null || (typeof body === 'string' && body.trim() === '')) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new WechatXmlError('root must contain fields', 'NOT_FLAT', source);
  }

  const out: FlatXml = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === '$') throw new WechatXmlError('attributes are not allowed', 'NOT_FLAT', source);
    if (key === TEXT_KEY) throw new WechatXmlError('text directly inside the root is not allowed', 'NOT_FLAT', source);
    if (!key.startsWith(NAME_PREFIX)) throw new WechatXmlError('root must contain only fields', 'NOT_FLAT', source);
    const name = key.slice(NAME_PREFIX.length);
    // Assigning `__proto__` would silently drop the field (or swap the prototype); refuse it instead.
    if (name === '__proto__') throw new WechatXmlError('field <__proto__> is not allowed', 'NOT_FLAT', source);
    if (typeof value !== 'string') {
      throw new WechatXmlError(`field <${name}> must be a single text value`, 'NOT_FLAT', source);
    }
    out[name] = value;
  }
  return out;
}

/**
 * Characters outside XML 1.0's Char production (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF).
 * WeChat answers such a body with XML_FORMAT_ERROR, so they are refused here with a clear error.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasNonXmlChar(text: string): boolean {
  return NOT_XML_CHAR.test(text) || LONE_SURROGATE.test(text);
}

/** CDATA cannot contain `]]>`; split it across two sections. */
function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * Builds `<xml>` with every value in CDATA (as WeChat's own messages do).
 * Undefined/null/empty values are omitted, matching what the signature covers.
 * Throws WechatXmlError INVALID_CHAR for control characters, U+FFFE/U+FFFF or a lone surrogate.
 */
export function buildXml(fields: Readonly<Record<string, string | number | undefined | null>>, root = 'xml'): string {
  let out = `<${root}>`;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    // `__proto__` is refused by parseXml, so writing it would build a body nobody can read back.
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name === '__proto__') {
      throw new WechatXmlError(`invalid field name ${JSON.stringify(name)}`, 'NOT_FLAT', 'local');
    }
    const text = String(value);
    // A lone surrogate would be sent as U+FFFD and no longer match the sign computed over it.
    if (hasNonXmlChar(text)) {
      throw new WechatXmlError(`field <${name}> contains a character XML cannot carry`, 'INVALID_CHAR', 'local');
    }
    // The receiver's parser turns CR into LF, so a value with CR would be verified against a sign
    // computed over different bytes: refuse it, callers normalise line breaks before signing.
    if (text.includes('\r')) {
      const message = `field <${name}> contains a carriage return; use \\n line breaks`;
      throw new WechatXmlError(message, 'INVALID_CHAR', 'local');
    }
    out += `<${name}>${cdata(text)}</${name}>`;
  }
  return `${out}</${root}>`;
}
