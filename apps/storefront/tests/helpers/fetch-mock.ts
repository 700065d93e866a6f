import { vi } from 'vitest';

/**
 * `until`: hold the reply back until this promise settles, then deliver it even if the
 * request was aborted meanwhile (an answer already on its way), so tests can prove a late
 * answer is ignored.
 */
type Reply = { status?: number; body: unknown; until?: Promise<unknown> } | NetworkFailure | Hang;
/** The request is recorded (it reached the server) but the page sees fetch reject, as on a dropped connection. */
type NetworkFailure = { networkError: true; until?: Promise<unknown> };
/** The server never answers: fetch settles only when the request is aborted, rejecting as browsers do. */
type Hang = { hang: true };

/** A promise a test opens by hand, for holding a reply back (see Reply.until). */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/**
 * Stubs global fetch with scripted replies per "METHOD /path". Replies are used in order;
 * the last one repeats. Unscripted requests fail the test loudly with a 500.
 */
export function mockFetch(script: Record<string, Reply[]>) {
  const calls: { method: string; path: string; body: unknown; headers: Headers; signal: AbortSignal | undefined }[] =
    [];
  const cursors = new Map<string, number>();
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      'http://shop.test',
    );
    const method = (init?.method ?? 'GET').toUpperCase();
    const key = `${method} ${url.pathname}`;
    calls.push({
      method,
      path: url.pathname,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
      headers: new Headers(init?.headers),
      signal: init?.signal ?? undefined,
    });
    const replies = script[key];
    if (!replies || replies.length === 0) {
      return new Response(JSON.stringify({ error: { code: 'INTERNAL', message: `unscripted ${key}` } }), {
        status: 500,
      });
    }
    const index = cursors.get(key) ?? 0;
    cursors.set(key, index + 1);
    const reply = replies[Math.min(index, replies.length - 1)]!;
    if ('hang' in reply) {
      const signal = init?.signal;
      return new Promise<Response>((_resolve, reject) => {
        const fail = () => reject(new DOMException('The operation was aborted.', 'AbortError'));
        if (signal?.aborted) fail();
        signal?.addEventListener('abort', fail);
      });
    }
    if (reply.until) await reply.until;
    if ('networkError' in reply) throw new TypeError('Failed to fetch');
    // A 204 may not carry a body (the Response constructor rejects one).
    return new Response(reply.status === 204 ? null : JSON.stringify(reply.body), {
      status: reply.status ?? 200,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { fetchMock, calls };
}
