import { describe, expect, it } from 'vitest';
import { checkAddress } from './address-policy.ts';

const strict = { allowPrivate: false };
const lenient = { allowPrivate: true };

describe('checkAddress', () => {
  describe('global unicast', () => {
    it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '[2a00:1450:4001:82a::200e]'])('allows %s', (ip) => {
      expect(checkAddress(ip, strict)).toEqual({ allowed: true });
    });
  });

  describe('refused ranges', () => {
    it.each([
      ['IPv4 loopback', '127.0.0.1', 'loopback'],
      ['IPv4 loopback, not .1', '127.255.0.7', 'loopback'],
      ['IPv6 loopback', '::1', 'loopback'],
      ['RFC 1918 10/8', '10.1.2.3', 'private'],
      ['RFC 1918 172.16/12', '172.31.255.255', 'private'],
      ['RFC 1918 192.168/16', '192.168.0.1', 'private'],
      ['IPv6 unique local', 'fd12:3456::1', 'unique local'],
      ['IPv4 link-local (cloud metadata)', '169.254.169.254', 'link-local'],
      ['IPv6 link-local', 'fe80::1', 'link-local'],
      ['IPv4 multicast', '224.0.0.251', 'multicast'],
      ['IPv6 multicast', 'ff02::1', 'multicast'],
      ['IPv4 broadcast', '255.255.255.255', 'broadcast'],
      ['IPv4 unspecified', '0.0.0.0', 'unspecified'],
      ['IPv4 this network 0/8', '0.1.2.3', 'unspecified'],
      ['IPv6 unspecified', '::', 'unspecified'],
      ['IPv4 reserved 240/4', '240.0.0.1', 'reserved'],
      ['IPv4 documentation', '192.0.2.10', 'reserved'],
      ['IPv4 benchmarking', '198.18.0.1', 'reserved'],
      ['IPv6 documentation', '2001:db8::1', 'reserved'],
      ['carrier-grade NAT', '100.64.0.1', 'carrier-grade NAT'],
      ['IPv4-mapped IPv6 of loopback', '::ffff:127.0.0.1', 'IPv4-mapped'],
      ['IPv4-mapped IPv6 of a public address', '::ffff:8.8.8.8', 'IPv4-mapped'],
      ['IPv4-mapped IPv6 in hex', '::ffff:7f00:1', 'IPv4-mapped'],
      ['IPv4-compatible IPv6', '::102:304', 'IPv4-compatible'],
      ['IPv4-compatible IPv6 of loopback', '::7f00:1', 'IPv4-compatible'],
      ['NAT64 of loopback', '64:ff9b::7f00:1', 'NAT64'],
      ['6to4 of loopback', '2002:7f00:1::1', '6to4'],
      ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ])('refuses %s (%s)', (_name, ip, words) => {
      const verdict = checkAddress(ip, strict);
      expect(verdict.allowed).toBe(false);
      expect(verdict.allowed === false && verdict.reason).toContain(words);
    });

    it('refuses what is not an IP address', () => {
      expect(checkAddress('example.com', strict).allowed).toBe(false);
    });
  });

  describe('with private targets allowed (tests only)', () => {
    it.each(['127.0.0.1', '::1', '10.0.0.1', '192.168.1.1', 'fd00::1'])('allows %s', (ip) => {
      expect(checkAddress(ip, lenient)).toEqual({ allowed: true });
    });

    it.each(['169.254.169.254', 'fe80::1', '0.0.0.0', '224.0.0.1', '::ffff:127.0.0.1', '100.64.0.1'])(
      'still refuses %s',
      (ip) => {
        expect(checkAddress(ip, lenient).allowed).toBe(false);
      },
    );
  });
});
