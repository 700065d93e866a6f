/**
 * Keep-alive connections to WeChat Pay, one pool per origin (and one more for the client-certificate
 * origin), so a pay request does not wait for a TCP and TLS handshake every time. Sockets are
 * bounded, and an idle one is dropped before a typical server's keep-alive timeout (Node's is 5 s),
 * so we rarely write to a connection the server is closing.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';

export const MAX_SOCKETS_PER_ORIGIN = 32;
export const IDLE_SOCKET_TIMEOUT_MS = 4_000;

export interface AgentTls {
  ca?: string | Buffer;
  /** Only for the /secapi origin: a pool of its own, so the certificate never rides a shared socket. */
  clientCert?: { cert: string | Buffer; key: string | Buffer };
}

export class AgentPool {
  private readonly agents = new Map<string, HttpAgent>();

  /** The pooled agent for this URL's origin (created on first use). */
  for(url: URL, tls: AgentTls = {}): HttpAgent {
    const key = `${url.origin}${tls.clientCert ? ' mtls' : ''}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const common = {
        keepAlive: true,
        maxSockets: MAX_SOCKETS_PER_ORIGIN,
        timeout: IDLE_SOCKET_TIMEOUT_MS,
        scheduling: 'lifo' as const,
      };
      agent =
        url.protocol === 'https:'
          ? new HttpsAgent({
              ...common,
              ...(tls.ca ? { ca: [...rootCertificates, tls.ca.toString()] } : {}),
              ...(tls.clientCert ? { cert: tls.clientCert.cert, key: tls.clientCert.key } : {}),
            })
          : new HttpAgent(common);
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes every pooled connection (at shutdown). */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}
