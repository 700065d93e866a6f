import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';
import { sendRaw } from './helpers/raw-http';
import { useStack, waitFor, type Stack } from './helpers/stack';

function logOnce(write: (logger: ReturnType<typeof createLogger>) => void): Record<string, unknown> {
  const lines: string[] = [];
  write(createLogger('info', { write: (line: string) => void lines.push(line) }));
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('logger', () => {
  it('keeps system and database error codes visible while redacting codes elsewhere', () => {
    const refused = Object.assign(new Error('connect failed'), { code: 'ECONNREFUSED' });
    const line = logOnce((l) =>
      l.error({ err: refused, callback: { code: '061Aby0w3abcDEF12345678901234567' } }, 'boom'),
    );
    expect((line.err as Record<string, unknown>).errorCode).toBe('ECONNREFUSED');
    expect((line.err as Record<string, unknown>).code).toBe('[redacted]');
    expect(line.callback).toEqual({ code: '[redacted]' });
    expect(JSON.stringify(line)).not.toContain('061Aby0w3');

    const unique = Object.assign(new Error('duplicate key'), { code: '23505' });
    expect((logOnce((l) => l.error({ err: unique }, 'db')).err as Record<string, unknown>).errorCode).toBe('23505');
  });

  it('does not copy a code that looks like an OAuth code into errorCode', () => {
    const odd = Object.assign(new Error('x'), { code: '061Aby0w3abcDEF12345678901234567' });
    const line = logOnce((l) => l.error({ err: odd }, 'odd'));
    expect(JSON.stringify(line)).not.toContain('061Aby0w3');
    expect((line.err as Record<string, unknown>).errorCode).toBeUndefined();
  });
});

describe('development logs (pretty)', () => {
  async function prettyLines(write: (logger: ReturnType<typeof createLogger>) => void): Promise<string> {
    const sink = new PassThrough();
    let text = '';
    sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const logger = createLogger('info', sink, { pretty: true, colorize: false });
    write(logger);
    logger.flush();
    await expect.poll(() => text.length, { timeout: 10_000 }).toBeGreaterThan(0);
    return text;
  }

  it('one line per request: method, path, status, ms and request id, no JSON', async () => {
    const text = await prettyLines((l) =>
      l.child({ requestId: 'req-7f3a' }).info({ method: 'GET', path: '/api/orders', status: 200, ms: 12 }, 'request'),
    );
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/api\/orders 200 12 ms req-7f3a\n$/);
  });

  it('an error shows its message and stack on the following lines, with secrets still redacted', async () => {
    const err = Object.assign(new Error('pay client gave up'), { code: 'ECONNREFUSED' });
    const text = await prettyLines((l) => l.error({ err, accessToken: 'tok-secret-123' }, 'refund failed'));
    expect(text.split('\n')[0]).toMatch(/ERROR: refund failed \{"accessToken":"\[redacted\]"\}$/);
    expect(text).toContain('Error: pay client gave up');
    expect(text).toMatch(/\n\s+at /);
    expect(text).toContain('"errorCode": "ECONNREFUSED"');
    expect(text).not.toContain('tok-secret-123');
  });

  it('without pretty (production, test) the same request line stays JSON', () => {
    const line = logOnce((l) => l.info({ method: 'GET', path: '/api/orders', status: 200, ms: 12 }, 'request'));
    expect(line).toMatchObject({
      msg: 'request',
      method: 'GET',
      path: '/api/orders',
      status: 200,
      ms: 12,
      service: 'bff',
    });
  });
});

/** Every way a secret could be spelled out in a log line once it was bytes. */
function encodingsOf(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [
    secret,
    bytes.toString('base64'),
    bytes.toString('hex'),
    [...bytes].join(','),
    JSON.stringify([...bytes]).slice(1, -1),
  ];
}

describe('logged errors never carry raw bytes', () => {
  it('drops rawPacket and every bytes-like field, also of nested errors, and leaves the error itself alone', () => {
    const inner = Object.assign(new Error('inner'), { payload: new Uint8Array(Buffer.from('cookie=inner-secret')) });
    const err = Object.assign(new AggregateError([inner], 'outer'), {
      rawPacket: Buffer.from('Bearer outer-secret'),
      body: { raw: Buffer.from('x') },
      bytesParsed: 7,
    });
    const line = logOnce((l) => l.error({ err }, 'boom'));
    const text = JSON.stringify(line);
    for (const secret of ['outer-secret', 'inner-secret'])
      for (const spelled of encodingsOf(secret)) expect(text).not.toContain(spelled);
    expect(line.err).toMatchObject({
      message: 'outer',
      rawPacket: '[omitted]',
      body: { raw: '[1 bytes omitted]' },
      bytesParsed: 7,
      aggregateErrors: [{ message: 'inner', payload: '[19 bytes omitted]' }],
    });
    expect(Buffer.isBuffer(err.rawPacket)).toBe(true);
  });

  describe('a malformed request over HTTP', () => {
    const { stack } = useStack({ name: 'pglite' }, {}, { captureLogs: true });

    it('logs the parse error without the Authorization token or the cookie, in any encoding', async () => {
      const token = 'tok-4f9a1c7e2b8d6035';
      const cookie = 'sid-8e2d4b6a1c9f7035';
      // The headers parse, so Koa starts on the request; the chunked body then fails to parse.
      const request =
        `POST /api/admin/orders/x/refund HTTP/1.1\r\nHost: ${new URL(stack.bff.url).host}\r\n` +
        `Authorization: Bearer ${token}\r\nCookie: wxshop.sid=${cookie}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`;
      const exchange = await sendRaw(stack.bff.url, request);
      expect(exchange.response).toMatch(/^HTTP\/1\.1 400 /);
      const logs = await waitForLog(stack, 'Invalid character in chunk size');
      for (const secret of [token, cookie])
        for (const spelled of encodingsOf(secret)) expect(logs).not.toContain(spelled);
    });
  });
});

async function waitForLog(stack: Stack, text: string): Promise<string> {
  await waitFor(async () => stack.logs().includes(text));
  return stack.logs();
}
