import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction, Socket } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may be sent (SSRF): only to addresses in ipaddr.js's `unicast` range, i.e.
 * never loopback, private (RFC 1918, IPv6 unique-local), link-local (cloud metadata at
 * 169.254.169.254), multicast, carrier-grade NAT, unspecified, broadcast or any other special
 * range. An IPv4-mapped IPv6 address is judged as the IPv4 address it carries. The operator
 * may allow the rest (WEBHOOK_ALLOW_PRIVATE=true: a receiver on the same host or network).
 */
export interface AddressPolicy {
  allowPrivate: boolean;
}

export class AddressRefused extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(`${host} resolves to ${address} (${range}): webhooks are not sent to ${range} addresses`);
    this.name = 'AddressRefused';
  }
}

/** The special range an address is in, or 'unicast' (an ordinary public address); null if not an IP. */
export function rangeOf(address: string): string | null {
  if (!ipaddr.isValid(address)) return null;
  const parsed = ipaddr.parse(address);
  const ip =
    parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
      ? (parsed as ipaddr.IPv6).toIPv4Address()
      : parsed;
  return ip.range();
}

/** Throws AddressRefused unless the policy lets `address` (a literal IP) be connected to. */
export function assertAllowed(policy: AddressPolicy, host: string, address: string): void {
  if (policy.allowPrivate) return;
  const range = rangeOf(address);
  if (range === null) throw new AddressRefused(host, address, 'not an IP address');
  if (range !== 'unicast') throw new AddressRefused(host, address, range);
}

export type Resolver = (host: string) => Promise<LookupAddress[]>;

/** Every address the system resolver gives for a host (an IP literal is its own answer). */
export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))),
  );

function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Resolves `host` and refuses it when any of its addresses is outside the policy. */
export async function resolveAllowed(
  policy: AddressPolicy,
  host: string,
  resolve: Resolver = systemResolver,
): Promise<LookupAddress[]> {
  const h = bare(host);
  const addresses = ipaddr.isValid(h) ? [{ address: h, family: h.includes(':') ? 6 : 4 }] : await resolve(h);
  if (!addresses.length) throw new Error(`${h} has no address`);
  for (const a of addresses) assertAllowed(policy, h, a.address);
  return addresses;
}

/**
 * A `lookup` for net/http connections that resolves once, refuses the host when any answer is
 * outside the policy, and hands the socket exactly the addresses it checked: the connection
 * goes where the check looked, so a DNS answer that changes between a check and the connection
 * (rebinding) cannot slip through.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolveAllowed(policy, hostname, resolve).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]?.address, addresses[0]?.family);
      },
      (err: unknown) => callback(err),
    );
  }) as LookupFunction;
}

/**
 * The last check, on the socket itself once it is connected and before a byte is written: the
 * peer it actually reached must be allowed (a lookup bypassed or answering something else).
 * Call before the HTTP client gets the socket, so that this listener runs first.
 */
export function guardConnectedSocket(policy: AddressPolicy, socket: Socket, host: string): void {
  socket.once('connect', () => {
    const peer = socket.remoteAddress;
    try {
      if (peer === undefined) throw new AddressRefused(host, 'unknown', 'unknown peer');
      assertAllowed(policy, host, peer);
    } catch (err) {
      socket.destroy(err as Error);
    }
  });
}
