import { BlockList, isIP } from 'node:net';

/** One list of HTTP_TASK_*_HOSTS: addresses and CIDR ranges, exact names and `*.domain` wildcards. */
class HostRules {
  private readonly addresses = new BlockList();
  private readonly names = new Set<string>();
  private readonly suffixes: string[] = [];
  readonly hasAddresses: boolean;

  constructor(entries: readonly string[]) {
    let hasAddresses = false;
    for (const raw of entries) {
      const entry = normalizeHost(raw);
      const [ip, prefix] = entry.split('/');
      const family = isIP(ip);
      if (family !== 0) {
        if (prefix === undefined) this.addresses.addAddress(ip, familyOf(ip));
        else this.addresses.addSubnet(ip, Number(prefix), familyOf(ip));
        hasAddresses = true;
      } else if (entry.startsWith('*.')) {
        this.suffixes.push(entry.slice(1));
      } else {
        this.names.add(entry);
      }
    }
    this.hasAddresses = hasAddresses;
  }

  matchesName(host: string): boolean {
    return this.names.has(host) || this.suffixes.some((suffix) => host.endsWith(suffix));
  }

  /** Matches the address, and the loopback address when it is an unspecified one (0.0.0.0 reaches this host). */
  matchesAddress(address: string): boolean {
    return addressesReached(address).some((a) => this.addresses.check(a, familyOf(a)));
  }
}

/**
 * Where the `http.request` task may connect: HTTP_TASK_DENIED_HOSTS always wins; when
 * HTTP_TASK_ALLOWED_HOSTS is set, a host must match it by name or by every address it
 * resolves to. A URL's host is checked when the job is saved (literal addresses, names),
 * and every address a name resolves to is checked right before the connection to it.
 */
export class HttpHostPolicy {
  private readonly allowed: HostRules | undefined;
  private readonly denied: HostRules;

  constructor(allowed: readonly string[] | undefined, denied: readonly string[]) {
    this.allowed = allowed && allowed.length > 0 ? new HostRules(allowed) : undefined;
    this.denied = new HostRules(denied);
  }

  /** Why a URL's host is refused before any lookup, or null when it is allowed or only its addresses can tell. */
  refusalOfHost(rawHost: string): string | null {
    const host = normalizeHost(rawHost);
    if (isIP(host) !== 0) return this.refusalOfAddress(host, host);
    if (this.denied.matchesName(host)) return `host ${host} is denied by HTTP_TASK_DENIED_HOSTS`;
    if (this.allowed && !this.allowed.matchesName(host) && !this.allowed.hasAddresses)
      return `host ${host} is not in HTTP_TASK_ALLOWED_HOSTS`;
    return null;
  }

  /** Why connecting to `address` (which `host` resolved to) is refused, or null. */
  refusalOfAddress(rawHost: string, address: string): string | null {
    const host = normalizeHost(rawHost);
    const named = host === address ? `address ${address}` : `host ${host} (address ${address})`;
    if (this.denied.matchesAddress(address) || this.denied.matchesName(host))
      return `${named} is denied by HTTP_TASK_DENIED_HOSTS`;
    if (this.allowed && !this.allowed.matchesName(host) && !this.allowed.matchesAddress(address))
      return `${named} is not in HTTP_TASK_ALLOWED_HOSTS`;
    return null;
  }
}

/** Lower case, no brackets around an IPv6 address, no zone, no trailing dot. */
export function normalizeHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
    .replace(/\.$/, '');
}

const familyOf = (address: string) => (isIP(address) === 4 ? 'ipv4' : 'ipv6');

/** 0.0.0.0 and :: (also IPv4-mapped) connect to this host, so they count as loopback too. */
const UNSPECIFIED = new BlockList();
UNSPECIFIED.addSubnet('0.0.0.0', 8, 'ipv4');
UNSPECIFIED.addAddress('::', 'ipv6');

function addressesReached(address: string): string[] {
  return UNSPECIFIED.check(address, familyOf(address)) ? [address, '127.0.0.1', '::1'] : [address];
}
