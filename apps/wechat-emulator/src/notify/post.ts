/** One delivery attempt: POST the XML (v2) or JSON (v3), judge the reply the way WeChat does. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseXml } from '@wxpay-shop/wechat';

interface PostResult {
  httpStatus?: number;
  reply: string;
  outcome: 'success' | 'fail';
  reason?: string;
  durationMs: number;
}

const MAX_REPLY_BYTES = 64 * 1024;
const SHOWN_REPLY_CHARS = 512;

export interface PostOptions {
  timeoutMs: number;
  /** v3: JSON with Wechatpay-* headers, judged by HTTP status alone. */
  v3Headers?: Record<string, string>;
}

export async function postNotification(url: string, body: string, options: PostOptions): Promise<PostResult> {
  const started = Date.now();
  const finish = (r: Omit<PostResult, 'durationMs'>): PostResult => ({ ...r, durationMs: Date.now() - started });
  let status: number;
  let text: string;
  const headers = options.v3Headers
    ? { 'Content-Type': 'application/json', ...options.v3Headers }
    : { 'Content-Type': 'text/xml; charset=utf-8' };
  try {
    ({ status, text } = await send(url, body, options.timeoutMs, headers));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return finish({ reply: message, outcome: 'fail', reason: message });
  }
  const reply = text.slice(0, SHOWN_REPLY_CHARS);
  // v3: 200 or 204 is success whatever the body says (a 200 with {"code":"FAIL"} included), else retry.
  if (options.v3Headers) {
    const ok = status === 200 || status === 204;
    return finish({
      httpStatus: status,
      reply,
      outcome: ok ? 'success' : 'fail',
      ...(ok ? {} : { reason: `HTTP ${status}` }),
    });
  }
  if (status !== 200) return finish({ httpStatus: status, reply, outcome: 'fail', reason: `HTTP ${status}` });
  return finish({ httpStatus: status, reply, ...(await judgeReply(text)) });
}

/** Only `<xml><return_code>SUCCESS</return_code>…` counts; a bare `success` or FAIL means retry. */
async function judgeReply(text: string): Promise<{ outcome: 'success' | 'fail'; reason?: string }> {
  try {
    const fields = await parseXml(text);
    if (fields.return_code === 'SUCCESS') return { outcome: 'success' };
    return {
      outcome: 'fail',
      reason: `return_code=${fields.return_code ?? '(missing)'}${fields.return_msg ? ` ${fields.return_msg}` : ''}`,
    };
  } catch {
    return { outcome: 'fail', reason: 'reply is not WeChat XML' };
  }
}

function send(
  url: string,
  body: string,
  timeoutMs: number,
  contentHeaders: Record<string, string>,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    // agent:false → one connection per attempt, so nothing lingers after stop().
    const req = request(
      target,
      {
        method: 'POST',
        agent: false,
        headers: { ...contentHeaders, 'User-Agent': 'Mozilla/4.0 (WeChatPay-Emulator)' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // A total deadline, not an idle one: a merchant trickling bytes still times out.
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}
