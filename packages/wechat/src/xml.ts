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

const parser = new Parser({
  explicitArray: false,
  explicitRoot: true,
  trim: false,
  normalize: false,
  explicitCharkey: false,
  mergeAttrs: false,
  async: false,
  strict: true,
});

export interface ParseOptions {
  /** Root element name; `xml` for everything except the decrypted refund notification (`root`). */
  root?: string;
  maxBytes?: number;
}

export async function parseXml(input: string | Buffer, options: ParseOptions = {}): Promise<FlatXml> {
  const root = options.root ?? 'xml';
  const maxBytes = options.maxBytes ?? MAX_XML_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.length;
  if (size === 0) throw new WechatXmlError('empty body', 'EMPTY');
  if (size > maxBytes) throw new WechatXmlError(`XML body exceeds ${maxBytes} bytes`, 'TOO_LARGE');
  const text = typeof input === 'string' ? input : input.toString('utf8');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new WechatXmlError('DOCTYPE and ENTITY declarations are not allowed', 'DOCTYPE');

  let doc: unknown;
  try {
    doc = await parser.parseStringPromise(text);
  } catch {
    throw new WechatXmlError('malformed XML', 'MALFORMED');
  }
  if (!doc || typeof doc !== 'object' || !(root in doc)) {
    throw new WechatXmlError(`root element must be <${root}>`, 'BAD_ROOT');
  }
  const body = (doc as Record<string, unknown>)[root];
  if (body === '' || body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new WechatXmlError('root must contain fields', 'NOT_FLAT');

  const out: FlatXml = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === '$') throw new WechatXmlError('attributes are not allowed', 'NOT_FLAT');
    if (typeof value !== 'string') throw new WechatXmlError(`field <${name}> must be a single text value`, 'NOT_FLAT');
    out[name] = value;
  }
  return out;
}

/** CDATA cannot contain `]]>`; split it across two sections. */
function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * Builds `<xml>` with every value in CDATA (as WeChat's own messages do).
 * Undefined/null/empty values are omitted, matching what the signature covers.
 */
export function buildXml(fields: Readonly<Record<string, string | number | undefined | null>>, root = 'xml'): string {
  let out = `<${root}>`;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new WechatXmlError(`invalid field name ${JSON.stringify(name)}`, 'NOT_FLAT');
    out += `<${name}>${cdata(String(value))}</${name}>`;
  }
  return `${out}</${root}>`;
}
