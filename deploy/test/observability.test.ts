import { existsSync } from 'node:fs';
import path from 'node:path';
import { healthcheckUrl, loadCompose, ourServices, type ComposeService } from './support/compose';
import { readText, readYaml, ROOT } from './support/files';
import { labelNames, startLiveServices, type LiveService } from './support/live-services';

/**
 * The observability profile: Prometheus scrapes every service where compose runs it, Grafana
 * is provisioned with that Prometheus and a dashboard whose queries name metrics (and labels)
 * the live services really export.
 */
const { resolved } = loadCompose();
const apps = ourServices(resolved).filter(([name]) => name !== 'migrate');
const service = (name: string): ComposeService => {
  const s = resolved.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
/** host path (relative to the root) → container path, for a service's bind mounts. */
const binds = (s: ComposeService) =>
  new Map(
    (s.volumes ?? [])
      .filter((v) => v.startsWith('./'))
      .map((v) => {
        const [source = '', target = ''] = v.split(':');
        return [path.normalize(source), target];
      }),
  );

interface PromConfig {
  scrape_configs: {
    job_name: string;
    metrics_path?: string;
    dns_sd_configs?: { names: string[]; type: string; port: number }[];
  }[];
}
interface Datasources {
  datasources: { uid: string; type: string; url: string; isDefault?: boolean }[];
}
interface DashboardProviders {
  providers: { type: string; options: { path: string } }[];
}
interface Target {
  expr: string;
  legendFormat?: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { uid?: string };
  targets?: Target[];
}

describe('observability profile', () => {
  it('Prometheus and Grafana run only with --profile observability, from files in the repository', () => {
    const prometheus = service('prometheus');
    const grafana = service('grafana');
    for (const s of [prometheus, grafana]) {
      expect(s.profiles).toEqual(['observability']);
      expect(s.restart).toBe('unless-stopped');
      expect(s.healthcheck).toBeDefined();
      for (const source of binds(s).keys())
        expect({ source, exists: existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
    }
    for (const [, s] of apps) expect(s.profiles).toBeUndefined();
    const configFile = (prometheus.command ?? []).find((a) => a.startsWith('--config.file='))?.split('=')[1];
    expect(binds(prometheus).get('deploy/prometheus.yml')).toBe(configFile);
  });

  it('Prometheus scrapes every replica of each service at the port compose gives it', () => {
    const config = readYaml('deploy/prometheus.yml') as PromConfig;
    expect(config.scrape_configs.map((j) => j.job_name).sort()).toEqual(apps.map(([name]) => name).sort());
    for (const job of config.scrape_configs) {
      const s = service(job.job_name);
      const port = s.environment?.PORT ?? s.environment?.OPS_PORT;
      expect(job.metrics_path ?? '/metrics').toBe('/metrics');
      expect(job.dns_sd_configs).toEqual([
        expect.objectContaining({ names: [job.job_name], type: 'A', port: Number(port) }),
      ]);
      expect(String(job.dns_sd_configs?.[0]?.port)).toBe(healthcheckUrl(s).port);
    }
  });

  it('Grafana gets that Prometheus as its data source and the dashboards directory compose mounts', () => {
    const grafana = service('grafana');
    const { datasources } = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml') as Datasources;
    expect(datasources).toHaveLength(1);
    const url = new URL(datasources[0]?.url ?? '');
    expect(url.hostname).toBe('prometheus');
    expect((service('prometheus').ports ?? []).map((p) => p.split(':').pop())).toContain(url.port);
    expect(binds(grafana).get('deploy/grafana/provisioning')).toBe('/etc/grafana/provisioning');
    const { providers } = readYaml('deploy/grafana/provisioning/dashboards/utm.yml') as DashboardProviders;
    expect(providers.map((p) => p.options.path)).toEqual([binds(grafana).get('deploy/grafana/dashboards')]);
    const home = grafana.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '';
    expect(path.dirname(home)).toBe(providers[0]?.options.path);
    expect(existsSync(path.join(ROOT, 'deploy/grafana/dashboards', path.basename(home)))).toBe(true);
  });

  describe('the dashboard, against the live services', () => {
    let live: { services: LiveService[]; stop(): Promise<void> };
    beforeAll(async () => {
      live = await startLiveServices();
    });
    afterAll(() => live?.stop());

    it('every query names metrics the services export, grouped and filtered by labels they have', async () => {
      const series = new Set<string>();
      const labels = new Map<string, string[]>();
      for (const s of live.services) {
        for (const name of (await s.scrape()).seriesNames()) series.add(name);
        for (const [name, l] of labelNames(s.registry)) labels.set(name, l);
      }
      const familyOf = (seriesName: string) =>
        [seriesName, seriesName.replace(/_(bucket|sum|count)$/, '')].find((n) => labels.has(n));

      const { datasources } = readYaml('deploy/grafana/provisioning/datasources/prometheus.yml') as Datasources;
      const dashboard = JSON.parse(readText('deploy/grafana/dashboards/utm.json')) as { uid: string; panels: Panel[] };
      const panels = dashboard.panels.filter((p) => p.type !== 'row');
      expect(panels.length).toBeGreaterThanOrEqual(10);
      const used = new Set<string>();
      for (const panel of panels) {
        expect({ panel: panel.title, uid: panel.datasource?.uid }).toEqual({
          panel: panel.title,
          uid: datasources[0]?.uid,
        });
        expect(panel.targets?.length).toBeGreaterThan(0);
        for (const t of panel.targets ?? []) {
          expect(t.datasource?.uid).toBe(datasources[0]?.uid);
          const metrics = [...t.expr.matchAll(/\b(utm_[a-z0-9_]+)\b/g)].map((m) => m[1] ?? '');
          if (!metrics.length) expect(t.expr).toMatch(/^up\{job=~"[a-z|-]+"\}$/); // Prometheus's own per-target series
          const allowed = new Set(['job', 'instance']);
          for (const m of metrics) {
            expect({ panel: panel.title, metric: m, exported: series.has(m) }).toEqual({
              panel: panel.title,
              metric: m,
              exported: true,
            });
            used.add(familyOf(m) ?? m);
            for (const l of labels.get(familyOf(m) ?? '') ?? []) allowed.add(l);
            if (m.endsWith('_bucket')) allowed.add('le');
          }
          const grouped = [...t.expr.matchAll(/\bby \(([^)]*)\)/g)].flatMap((m) =>
            (m[1] ?? '').split(',').map((x) => x.trim()),
          );
          const filtered = [...t.expr.matchAll(/\{([^}]*)\}/g)].flatMap((m) =>
            [...(m[1] ?? '').matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1] ?? ''),
          );
          const legend = [...(t.legendFormat ?? '').matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)].map((x) => x[1] ?? '');
          for (const l of [...grouped, ...filtered, ...legend])
            expect({ panel: panel.title, label: l, known: allowed.has(l) }).toEqual({
              panel: panel.title,
              label: l,
              known: true,
            });
        }
      }
      // The list, each on the dashboard.
      for (const m of [
        'utm_signals_received_total',
        'utm_ingest_duration_seconds',
        'utm_queue_jobs',
        'utm_queue_oldest_waiting_age_seconds',
        'utm_processor_job_duration_seconds',
        'utm_broker_call_duration_seconds',
        'utm_orders',
        'utm_signal_to_broker_accepted_seconds',
        'utm_signal_to_fill_seconds',
      ])
        expect({ metric: m, onDashboard: used.has(m) }).toEqual({ metric: m, onDashboard: true });
    });

    it('queue gauges answer on every service, orders by status on the executor', async () => {
      for (const s of live.services) {
        const m = await s.scrape();
        for (const queue of ['signals', 'orders'])
          expect({ service: s.name, queue, waiting: m.value('utm_queue_jobs', { queue, state: 'waiting' }) }).toEqual({
            service: s.name,
            queue,
            waiting: 0,
          });
      }
      const executor = await live.services.find((s) => s.name === 'broker-executor')?.scrape();
      expect(executor?.value('utm_orders', { status: 'NEW' })).toBe(0);
      expect(executor?.value('utm_orders', { status: 'FILLED' })).toBe(0);
    });
  });
});
