/** Scrapes a BFF's /metrics and reads samples out of Prometheus' text format. */

/** Sample key → value; the key is the metric name plus its labels sorted by name: `x_total{a="1",b="2"}`. */
export type Samples = Map<string, number>;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function sampleKey(name: string, labels: Record<string, string> = {}): string {
  const pairs = Object.entries(labels)
    .filter(([, value]) => value !== '')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([label, value]) => `${label}="${value}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

export function parseSamples(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, label, value] of (match[2] ?? '').matchAll(LABEL)) labels[label!] = value!;
    samples.set(sampleKey(match[1]!, labels), Number(match[3]));
  }
  return samples;
}

export async function scrape(url: string, token?: string): Promise<{ text: string; samples: Samples }> {
  const res = await fetch(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  const text = await res.text();
  return { text, samples: parseSamples(text) };
}

/**
 * How each series of `name` moved between two scrapes (only those that moved), keyed by labels
 * (`{outcome="applied",type="pay"}`): a test compares it whole, so an unexpected series shows up too.
 */
export function deltas(before: Samples, after: Samples, name: string): Record<string, number> {
  const moved: Record<string, number> = {};
  for (const [key, value] of after) {
    if (key !== name && !key.startsWith(`${name}{`)) continue;
    const delta = value - (before.get(key) ?? 0);
    if (delta !== 0) moved[key.slice(name.length) || '{}'] = delta;
  }
  return moved;
}
