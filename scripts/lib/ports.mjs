// Which of `npm start`'s ports are already taken, checked before anything starts: a health check
// would otherwise reach the old server on a taken port and report the new stack as running.
import { createServer } from 'node:net';

/** Resolves to the listen error's code (EADDRINUSE, EACCES…), or null when `host:port` is free. */
export function portProblem(host, port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err) => resolve(err.code ?? String(err)));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}

/**
 * `ports`: [{ name, port, envVar }]. Resolves to one English sentence per port that cannot be
 * listened on, naming the port, the service and the variable that moves it.
 */
export async function takenPorts(host, ports) {
  const problems = [];
  for (const { name, port, envVar } of ports) {
    const code = await portProblem(host, port);
    if (code === null) continue;
    const why = code === 'EADDRINUSE' ? 'is already in use' : `cannot be listened on (${code})`;
    problems.push(`port ${port} on ${host} (${name}, ${envVar}) ${why}`);
  }
  return problems;
}
