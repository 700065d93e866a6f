/**
 * One bench scenario: autocannon drives the server process (this process only generates load), and
 * the server's CPU time and SQL statements are read before and after, so each row can say what one
 * request of that kind costs. A scenario sends either for a fixed time or a fixed list of requests,
 * each used once (first pays, first deliveries), so a row never mixes request kinds.
 */
import autocannon from 'autocannon';

export interface ScenarioResult {
  name: string;
  requests: number;
  failed: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
  statementsPerRequest: number;
}

interface Stats {
  cpuMicros: number;
  statements: number;
}

export interface Request {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Handed back to onAccepted with this request's answer (autocannon keeps one request per connection in flight). */
  tag?: unknown;
}

export interface Scenario {
  name: string;
  url: string;
  connections: number;
  /** Sends for this long, cycling through `next`… */
  seconds?: number;
  /** …or exactly this many requests. */
  amount?: number;
  next: () => Request;
  /** Whether an answer is what the scenario expects (default: 2xx). */
  accept?: (status: number, body: string) => boolean;
  onAccepted?: (body: string, tag: unknown) => void;
}

export async function run(scenario: Scenario, controlUrl: string): Promise<ScenarioResult> {
  let failed = 0;
  let requests = 0;
  const before = await stats(controlUrl);
  const result = await autocannon({
    url: scenario.url,
    connections: scenario.connections,
    ...(scenario.amount !== undefined ? { amount: scenario.amount } : { duration: scenario.seconds ?? 5 }),
    requests: [
      {
        setupRequest: (req, context: { tag?: unknown }) => {
          const next = scenario.next();
          context.tag = next.tag;
          return {
            ...req,
            method: next.method ?? 'GET',
            path: next.path,
            headers: { ...req.headers, ...next.headers },
            body: next.body,
          };
        },
        onResponse: (status, body, context: { tag?: unknown }) => {
          requests += 1;
          const ok = scenario.accept ? scenario.accept(status, body) : status >= 200 && status < 300;
          if (ok) scenario.onAccepted?.(body, context.tag);
          else failed += 1;
        },
      },
    ],
  });
  const after = await stats(controlUrl);
  const done = Math.max(requests, 1);
  return {
    name: scenario.name,
    requests,
    failed: failed + result.errors,
    rps: requests / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: (after.cpuMicros - before.cpuMicros) / done,
    statementsPerRequest: (after.statements - before.statements) / done,
  };
}

async function stats(controlUrl: string): Promise<Stats> {
  const res = await fetch(`${controlUrl}/stats`);
  return (await res.json()) as Stats;
}
