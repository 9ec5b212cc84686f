import { existsSync } from 'node:fs';
import path from 'node:path';
import { healthcheckUrl, loadCompose, type ComposeService } from './support/compose';
import { readText, ROOT } from './support/files';
import { findAll, parseNginx, type Directive } from './support/nginx';

/**
 * gateway-proxy, checked without a Docker engine: nginx in front of every ingest-gateway
 * replica. Its configuration file is the one compose mounts; it balances over the gateway
 * service's name and PORT, re-resolved through Docker's DNS so that --scale needs no change;
 * it passes X-Request-Id and the client's address; and it is published, health-checked and
 * started the way the gateways it fronts are.
 */
const { resolved } = loadCompose();
const service = (name: string): ComposeService => {
  const s = resolved.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const proxy = service('gateway-proxy');
const gateway = service('ingest-gateway');
const [source = '', target = ''] = (proxy.volumes ?? [])[0]?.split(':') ?? [];
const conf = parseNginx(readText(source));
const one = (name: string, tree: Directive[] = conf): Directive => {
  const found = findAll(tree, name);
  if (found.length !== 1) throw new Error(`expected one ${name} directive in ${source}, found ${found.length}`);
  return (found[0] as { directive: Directive }).directive;
};
const headers = (location: Directive) =>
  new Map(
    (location.block ?? [])
      .filter((d) => d.name === 'proxy_set_header')
      .map((d) => [d.args[0]?.toLowerCase(), d.args[1]]),
  );

describe('gateway-proxy (nginx in front of the gateway replicas)', () => {
  it('runs nginx with the configuration file of the repository as its default server', () => {
    const [, tag = ''] = (proxy.image ?? '').split(':');
    expect(proxy.image).toMatch(/^nginx:/);
    // The `resolve` parameter of an upstream server is in open-source nginx from 1.27.3 on.
    const [major = 0, minor = 0, patch = 99] = (/^(\d+)\.(\d+)(?:\.(\d+))?/.exec(tag) ?? [])
      .slice(1)
      .filter(Boolean)
      .map(Number);
    expect({ tag, resolveSupported: major * 1e6 + minor * 1e3 + patch >= 1_027_003 }).toEqual({
      tag,
      resolveSupported: true,
    });
    expect(existsSync(path.join(ROOT, source))).toBe(true);
    expect(target).toBe('/etc/nginx/conf.d/default.conf');
    expect(proxy.volumes?.[0]?.endsWith(':ro')).toBe(true);
    expect(proxy.restart).toBe('unless-stopped');
  });

  it("balances over the ingest-gateway service on its PORT, re-resolved through Docker's DNS", () => {
    expect(one('resolver').args[0]).toBe('127.0.0.11');
    const upstream = one('upstream');
    const servers = (upstream.block ?? []).filter((d) => d.name === 'server');
    expect(servers.map((d) => d.args[0])).toEqual([`ingest-gateway:${gateway.environment?.PORT}`]);
    expect(servers[0]?.args).toContain('resolve');
    expect((upstream.block ?? []).some((d) => d.name === 'zone')).toBe(true); // `resolve` needs a shared zone
    const root = findAll(conf, 'location').find((l) => l.directive.args[0] === '/')?.directive;
    expect(root && one('proxy_pass', root.block).args).toEqual([`http://${upstream.args[0]}`]);
  });

  it("passes the request id and the client's address and never resends a POST", () => {
    const root = findAll(conf, 'location').find((l) => l.directive.args[0] === '/')?.directive as Directive;
    const set = headers(root);
    expect(set.get('x-request-id')).toBe('$utm_request_id');
    expect(set.get('x-forwarded-for')).toBe('$remote_addr'); // set, not appended: a client cannot choose it
    expect(set.get('x-forwarded-proto')).toBe('$scheme');
    expect(gateway.environment?.TRUST_PROXY).toBe('true');
    const idMap = findAll(conf, 'map').find((m) => m.directive.args[1] === '$utm_request_id')?.directive;
    expect(idMap?.args[0]).toBe('$http_x_request_id');
    expect(one('proxy_next_upstream', root.block).args).not.toContain('non_idempotent');
    // Its own error answers (no replica, body far too large) carry the API's error body and the id.
    for (const named of ['@unavailable', '@too_large']) {
      const loc = findAll(conf, 'location').find((l) => l.directive.args[0] === named)?.directive as Directive;
      expect(one('add_header', loc.block).args.slice(0, 2)).toEqual(['X-Request-Id', '$utm_request_id']);
      expect(JSON.parse(one('return', loc.block).args[1] ?? '')).toMatchObject({
        success: false,
        error: expect.stringMatching(/^(SERVICE_UNAVAILABLE|PAYLOAD_TOO_LARGE)$/),
      });
    }
  });

  it('is published on GATEWAY_PORT at the port it listens on, starts after a healthy gateway and is healthy when one answers /readyz through it', () => {
    const listen = one('listen').args[0];
    expect(proxy.ports?.map((p) => p.split(':').pop())).toEqual([listen]);
    expect(proxy.depends_on).toEqual({ 'ingest-gateway': { condition: 'service_healthy' } });
    const test = proxy.healthcheck?.test ?? [];
    expect(test.slice(0, 2)).toEqual(['CMD', 'wget']);
    const url = new URL(test[test.length - 1] ?? '');
    expect({ port: url.port || '80', path: url.pathname }).toEqual({
      port: listen,
      path: healthcheckUrl(gateway).pathname,
    });
  });

  it('keeps the API key of a query string out of its access log', () => {
    const format = findAll(conf, 'log_format')[0]?.directive.args.join(' ') ?? '';
    expect(format).toContain('$uri');
    expect(format).not.toMatch(/\$request\b|\$request_uri|\$args|\$query_string/);
  });
});
