/** Raw HTTP(S) POSTs for the mutation test: exact bytes, any (or no) Content-Type, optional chunking. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RawReply {
  status: number;
  contentType: string | undefined;
  text: string;
}

export interface RawPost {
  body: Buffer;
  contentType: string | undefined;
  /** Sent with Transfer-Encoding: chunked instead of Content-Length. */
  chunked: boolean;
  tls?: { ca: string; cert: string; key: string };
}

const CHUNK = 16 * 1024;

/** Rejects when the connection is dropped or nothing arrives within 5 s. */
export function rawPost(url: string, post: RawPost): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (post.contentType !== undefined) headers['Content-Type'] = post.contentType;
    if (!post.chunked) headers['Content-Length'] = String(post.body.length);
    const options = { method: 'POST', agent: false as const, headers, ...(post.tls ?? {}) };
    const onResponse = (res: import('node:http').IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'],
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    };
    const req = post.tls ? httpsRequest(url, options, onResponse) : httpRequest(url, options, onResponse);
    req.setTimeout(30_000, () => req.destroy(new Error('no reply within 30 s')));
    req.on('error', reject);
    if (post.chunked) {
      for (let at = 0; at < post.body.length; at += CHUNK) req.write(post.body.subarray(at, at + CHUNK));
      req.end();
    } else {
      req.end(post.body);
    }
  });
}
