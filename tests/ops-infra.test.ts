// The alert rules and the Grafana dashboard must only ask for metrics the services export, and the
// compose stack must give every long-running service a health check and a restart policy.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadKaikuConfig, SERVICE_NAMES, SERVICE_NODE_FLAGS } from '@kaiku/config';
import { createStateGauges, processRegistry, registerMetrics } from '@kaiku/http';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');

/** Every series name Kaiku exports (histograms as _bucket/_count/_sum). */
async function exportedNames(): Promise<Set<string>> {
  registerMetrics(Fastify()); // turns on Node's process metrics, as every service does
  const state = createStateGauges({
    pool: { query: async () => ({ rows: [] }) },
    queues: [{ name: 'survey-send', getJobCounts: async () => ({}), getJobs: async () => [], isPaused: async () => false }],
  });
  const names = new Set<string>(['up']);
  for (const registry of [processRegistry, state]) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) names.add(metric.name + suffix);
    }
  }
  return names;
}

/** GitHub's anchors of the README's headings. */
function readmeAnchors(): string[] {
  return [...read('README.md').matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) =>
    (m[1] as string)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s-]/gu, '')
      .replace(/\s/g, '-'),
  );
}

const referenced = (expr: string) => new Set(expr.match(/\b(kaiku_[a-z0-9_]+|up)\b(?=\s*[{[)\s]|$)/g) ?? []);

describe('infra', () => {
  it('alert rules use only exported metrics and each names a runbook', async () => {
    const names = await exportedNames();
    const rules = (
      parseYaml(read('infra/prometheus/alerts.yml')) as {
        groups: Array<{ rules: Array<{ alert: string; expr: string; annotations: { runbook: string } }> }>;
      }
    ).groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'KaikuSendBacklogGrowing',
        'KaikuSendFailureRatio',
        'KaikuSendsRetrying',
        'KaikuNoAnswers',
        'KaikuOutboxStuck',
      ]),
    );
    for (const rule of rules) {
      for (const name of referenced(rule.expr)) expect(names, `${rule.alert} uses ${name}`).toContain(name);
      expect(rule.annotations.runbook).toMatch(/^README\.md#/);
      expect(readmeAnchors(), rule.alert).toContain(rule.annotations.runbook.split('#')[1]);
    }
  });

  it('the Grafana dashboard uses only exported metrics', async () => {
    const names = await exportedNames();
    const dashboard = JSON.parse(read('infra/grafana/kaiku-dashboard.json')) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
    expect(exprs.length).toBeGreaterThan(15);
    for (const { panel, expr } of exprs) for (const name of referenced(expr)) expect(names, `${panel} uses ${name}`).toContain(name);
  });

  it('compose gives every long-running service a health check and a restart policy, and data volumes', () => {
    const compose = parseYaml(read('docker-compose.yml')) as {
      services: Record<string, { healthcheck?: unknown; restart?: string; profiles?: string[] }>;
      volumes: Record<string, unknown>;
    };
    for (const [name, service] of Object.entries(compose.services)) {
      if (name === 'migrate' || name === 'demo-feeder') {
        expect(service.restart).toBe('no');
        continue;
      }
      expect(service.healthcheck, name).toBeDefined();
      expect(service.restart, name).toBe('unless-stopped');
    }
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['pgdata', 'redisdata']));
    expect(compose.services['demo-feeder']?.profiles).toEqual(['demo']);
    expect(compose.services.prometheus?.profiles).toEqual(['monitoring']);
  });

  it('the demo county has the example county units, with sending at once and no quiet hours', () => {
    const example = loadKaikuConfig(`${root}/config/kaiku.example.yaml`);
    const demo = loadKaikuConfig(`${root}/config/kaiku.demo.yaml`);
    expect(demo.units).toEqual(example.units);
    expect(demo.survey).toMatchObject({ sendAfter: 'PT0S', quietHours: null });
  });

  it('every way of starting a service gives it its own V8 flags', () => {
    const dockerfile = read('infra/Dockerfile');
    for (const name of SERVICE_NAMES) {
      const flags = SERVICE_NODE_FLAGS[name].join(' ');
      expect(flags, name).toMatch(/^--max-semi-space-size=\d+ --max-old-space-size=\d+$/);
      const pkg = JSON.parse(read(`services/${name}/package.json`)) as { scripts: { start: string } };
      expect(pkg.scripts.start, name).toBe(`node ../../scripts/build.ts && node --conditions=kaiku-dist ${flags} dist/main.js`);
      const target = dockerfile.slice(dockerfile.indexOf(`FROM base AS ${name}\n`)).split(/\nFROM /)[0] as string;
      expect(target, `Dockerfile target ${name}`).toContain(`ENV NODE_OPTIONS="--conditions=kaiku-dist ${flags}"\n`);
      expect(target, `Dockerfile target ${name}`).toContain(`CMD ["node", "services/${name}/dist/main.js"]`);
    }
    expect([...SERVICE_NAMES].sort()).toEqual(['console', 'ingest', 'replies', 'sender', 'sms-sim']);
    expect(dockerfile).toContain('RUN node scripts/build.ts\n');
    for (const starter of ['scripts/start-all.ts', 'scripts/demo/stack.ts', 'bench/lib/services.ts']) {
      expect(read(starter), starter).toMatch(/serviceArgs\(name\)|serviceNodeFlags\(name\)/);
    }
  });
});
