/** HTTP written by hand on a socket, for what fetch cannot send: malformed requests, trickled bodies. */
import net from 'node:net';

export interface RawExchange {
  /** Everything the server sent. */
  response: string;
  /** Whether the server closed the connection before `giveUpMs`. */
  closed: boolean;
  ms: number;
}

/**
 * Sends `request` as is, then (with `trickle`) one more byte (a space unless told) every `everyMs`,
 * until the server closes the connection or `giveUpMs` passes.
 */
export async function sendRaw(
  baseUrl: string,
  request: string,
  options: { trickle?: { everyMs: number; byte?: string }; giveUpMs?: number } = {},
): Promise<RawExchange> {
  const { hostname, port } = new URL(baseUrl);
  const socket = net.connect(Number(port), hostname);
  const started = performance.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => {}); // a reset after the server gave up is an answer too
  socket.write(request);
  const { everyMs, byte = ' ' } = options.trickle ?? {};
  const trickle = everyMs ? setInterval(() => socket.writable && socket.write(byte), everyMs) : undefined;
  const closed = await new Promise<boolean>((resolve) => {
    const giveUp = setTimeout(() => resolve(false), options.giveUpMs ?? 60_000);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve(true);
    });
  });
  clearInterval(trickle);
  socket.destroy();
  return { response: Buffer.concat(chunks).toString('latin1'), closed, ms: performance.now() - started };
}
