/**
 * Which network addresses the preview fetcher may connect to (the SSRF guard's rule). Ranges
 * come from ipaddr.js, a well-kept table of the IANA special-purpose registries.
 */
import ipaddr from 'ipaddr.js';

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

export interface AddressPolicy {
  /** Allow private (RFC 1918, IPv6 unique local) and loopback targets: tests against a fixture site only. */
  allowPrivate: boolean;
}

/** Ranges `allowPrivate` opens. Link-local (cloud metadata at 169.254.169.254) stays refused. */
const PRIVATE_RANGES = new Set(['private', 'loopback', 'uniqueLocal']);

/** Readable names of ipaddr.js's ranges, for the card's error. */
const RANGE_NAMES: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  uniqueLocal: 'private (unique local)',
  reserved: 'reserved',
  ipv4Mapped: 'IPv4-mapped',
  rfc6145: 'IPv4-translated',
  rfc6052: 'NAT64',
  '6to4': '6to4',
  teredo: 'Teredo',
};

function refused(kind: string): AddressVerdict {
  return { allowed: false, reason: `it resolves to a ${kind} address` };
}

/**
 * IPv4-compatible IPv6 (`::a.b.c.d`, deprecated by RFC 4291): ipaddr.js files most of `::/96`
 * under no range, yet such an address can reach an IPv4 host. `::` and `::1` are named anyway.
 */
function isIpv4Compatible(address: ipaddr.IPv6): boolean {
  return address.parts.slice(0, 6).every((part) => part === 0);
}

/**
 * Whether the fetcher may connect to `address` (an IP literal, as DNS answered or as the URL
 * named it). Only global unicast passes: loopback, private, link-local, multicast, broadcast,
 * reserved, unspecified, shared (CGNAT) and IPv6 transition forms (IPv4-mapped, -compatible,
 * -translated, NAT64, 6to4, Teredo) are refused, since each can reach a host the person's
 * server can reach and the public cannot.
 */
export function checkAddress(address: string, policy: AddressPolicy): AddressVerdict {
  const literal = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (!ipaddr.isValid(literal)) return { allowed: false, reason: `"${address}" is not an IP address` };
  const parsed = ipaddr.parse(literal);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    if (range === 'loopback' || range === 'unspecified') return rangeVerdict(range, policy);
    if (range === 'ipv4Mapped' || isIpv4Compatible(v6)) return refused('IPv4-mapped or IPv4-compatible IPv6');
    return rangeVerdict(range, policy);
  }
  return rangeVerdict(parsed.range(), policy);
}

function rangeVerdict(range: string, policy: AddressPolicy): AddressVerdict {
  if (range === 'unicast') return { allowed: true };
  if (policy.allowPrivate && PRIVATE_RANGES.has(range)) return { allowed: true };
  return refused(RANGE_NAMES[range] ?? range);
}
