/**
 * A real Prometheus (Debian's package, installed by scripts/system-deps.sh) on loopback scrapes two
 * BFF instances through a payment flow and loads the shipped alert rules; queried afterwards, the
 * payments settled summed across both instances are exactly the payments made.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './helpers/backends';
import { paidOrder, startStack, waitFor, type Stack } from './helpers/stack';

const ALERTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../deploy/prometheus/alerts.yml');
const hasPrometheus = spawnSync('prometheus', ['--version']).status === 0;
/** Prometheus starts, scrapes and answers in seconds; a busy machine gets a minute. */
const PROMETHEUS_WAIT_MS = 60_000;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface VectorResult {
  metric: Record<string, string>;
  value: [number, string];
}

describe.runIf(hasPrometheus)('a Prometheus server scraping two BFF instances', () => {
  let stacks: Stack[] = [];
  let prometheus: ChildProcess | undefined;
  let prometheusUrl = '';
  let dir = '';
  const output: string[] = [];

  beforeAll(async () => {
    stacks = [
      await startStack(backends[0]!, { METRICS_PORT: '0' }),
      await startStack(backends[0]!, { METRICS_PORT: '0' }),
    ];
    dir = mkdtempSync(path.join(tmpdir(), 'prometheus-test-'));
    const targets = stacks.map((s) => new URL(s.bff.metricsUrl!).host);
    writeFileSync(
      path.join(dir, 'prometheus.yml'),
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [ALERTS],
        scrape_configs: [{ job_name: 'wxpay-bff', static_configs: [{ targets }] }],
      }),
    );
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${path.join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    prometheus.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    await waitFor(async () => (await fetch(`${prometheusUrl}/-/ready`).catch(() => null))?.ok, PROMETHEUS_WAIT_MS);
  }, PROMETHEUS_WAIT_MS * 2);

  afterAll(async () => {
    if (prometheus && prometheus.exitCode === null) {
      prometheus.kill('SIGTERM');
      await once(prometheus, 'exit');
    }
    for (const stack of stacks) await stack.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function query(promql: string): Promise<VectorResult[]> {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; data: { resultType: string; result: VectorResult[] } };
    if (body.status !== 'success')
      throw new Error(`query ${promql} failed: ${JSON.stringify(body)}\n${output.join('')}`);
    return body.data.result;
  }
  const scalar = async (promql: string): Promise<number | undefined> => {
    const [first] = await query(promql);
    return first ? Number(first.value[1]) : undefined;
  };

  it(
    'after N payments across both instances, sum(wxpay_payments_settled_total) is N',
    async () => {
      // Both instances scraped, and every series there from the start at 0.
      await waitFor(async () => (await scalar('count(up{job="wxpay-bff"} == 1)')) === 2, PROMETHEUS_WAIT_MS);
      await waitFor(async () => (await scalar('count(wxpay_payments_settled_total)')) === 4, PROMETHEUS_WAIT_MS);
      expect(await scalar('sum(wxpay_payments_settled_total)')).toBe(0);

      const [a, b] = stacks as [Stack, Stack];
      await paidOrder(a);
      await paidOrder(b);
      await paidOrder(a);
      await waitFor(async () => (await scalar('sum(wxpay_payments_settled_total)')) === 3, PROMETHEUS_WAIT_MS);

      const byInstance = await query('sum by (instance) (wxpay_payments_settled_total{source="notification"})');
      const settled = Object.fromEntries(byInstance.map((r) => [r.metric.instance, Number(r.value[1])]));
      expect(settled).toEqual({ [new URL(a.bff.metricsUrl!).host]: 2, [new URL(b.bff.metricsUrl!).host]: 1 });
      expect(await scalar('sum(wxpay_orders_created_total)')).toBe(3);
      expect(await scalar('sum(wxpay_notifications_total{type="pay",outcome="applied"})')).toBe(3);
    },
    PROMETHEUS_WAIT_MS * 4,
  );

  it(
    'loads the shipped alert rules, healthy, with nothing firing',
    async () => {
      const res = await fetch(`${prometheusUrl}/api/v1/rules`);
      const body = (await res.json()) as {
        data: { groups: { name: string; rules: { name: string; health: string; state: string }[] }[] };
      };
      const rules = body.data.groups.flatMap((g) => g.rules);
      expect(rules.map((r) => r.name)).toContain('WxpayNoPaymentsSettled');
      expect(rules.length).toBeGreaterThanOrEqual(9);
      // Evaluated at least once (a broken expression would read 'err').
      await waitFor(async () => {
        const now = (await (await fetch(`${prometheusUrl}/api/v1/rules`)).json()) as typeof body;
        return now.data.groups.flatMap((g) => g.rules).every((r) => r.health === 'ok');
      }, PROMETHEUS_WAIT_MS);
      const firing = await query('ALERTS{alertstate="firing"}');
      expect(firing).toEqual([]);
    },
    PROMETHEUS_WAIT_MS * 2,
  );
});
