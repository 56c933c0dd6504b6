import { describe, expect, it } from 'vitest';
import { normalizeUrl, urlFromAddress } from './url.ts';

describe('normalizeUrl', () => {
  describe('lower case', () => {
    it('lowers the scheme and the host, not the path or query', () => {
      expect(normalizeUrl('HTTPS://Example.COM/Path?Q=A')).toBe('https://example.com/Path?Q=A');
    });

    it('lowers an IPv6 literal and compresses it', () => {
      expect(normalizeUrl('http://[2001:DB8:0:0:0:0:0:1]/')).toBe('http://[2001:db8::1]/');
    });
  });

  describe('ports', () => {
    it('drops 80 for http and 443 for https', () => {
      expect(normalizeUrl('http://example.com:80/a')).toBe('http://example.com/a');
      expect(normalizeUrl('https://example.com:443/a')).toBe('https://example.com/a');
    });

    it('keeps a port that is not the scheme default', () => {
      expect(normalizeUrl('http://example.com:443/')).toBe('http://example.com:443/');
      expect(normalizeUrl('https://example.com:8443/')).toBe('https://example.com:8443/');
    });
  });

  describe('fragments', () => {
    it('drops the fragment, and a bare #', () => {
      expect(normalizeUrl('https://example.com/a#section')).toBe('https://example.com/a');
      expect(normalizeUrl('https://example.com/a#')).toBe('https://example.com/a');
    });

    it('keeps the query before a fragment', () => {
      expect(normalizeUrl('https://example.com/?q=1#x')).toBe('https://example.com/?q=1');
    });
  });

  describe('internationalised names', () => {
    it('turns an IDN host into punycode', () => {
      expect(normalizeUrl('https://Bücher.example/')).toBe('https://xn--bcher-kva.example/');
    });

    it('gives the punycode form and the Unicode form the same URL', () => {
      expect(normalizeUrl('https://xn--bcher-kva.example/')).toBe(normalizeUrl('https://BÜCHER.example'));
    });
  });

  describe('paths', () => {
    it('makes an empty path / and resolves dot segments', () => {
      expect(normalizeUrl('https://example.com')).toBe('https://example.com/');
      expect(normalizeUrl('https://example.com/a/../b/./c')).toBe('https://example.com/b/c');
    });

    it('trims surrounding white space', () => {
      expect(normalizeUrl('  https://example.com/  ')).toBe('https://example.com/');
    });

    it('reads the IPv4 forms WHATWG reads (hex, short)', () => {
      expect(normalizeUrl('http://0x7f.1/')).toBe('http://127.0.0.1/');
    });
  });

  describe('refusals', () => {
    it.each(['ftp://example.com/', 'javascript:alert(1)', 'mailto:a@example.com', 'example.com', '', 'http://'])(
      'refuses %j',
      (raw) => {
        expect(normalizeUrl(raw)).toBeNull();
      },
    );
  });
});

describe('urlFromAddress', () => {
  it('takes a bare address as https', () => {
    expect(urlFromAddress('github.com/karakeep-app/karakeep')).toBe('https://github.com/karakeep-app/karakeep');
  });

  it('keeps a scheme that was typed, normalised', () => {
    expect(urlFromAddress('HTTP://Example.com:80/x#y')).toBe('http://example.com/x');
  });

  it('accepts host:port, localhost and IP literals', () => {
    expect(urlFromAddress('example.com:8080/a')).toBe('https://example.com:8080/a');
    expect(urlFromAddress('localhost:3000')).toBe('https://localhost:3000/');
    expect(urlFromAddress('127.0.0.1/x')).toBe('https://127.0.0.1/x');
    expect(urlFromAddress('[::1]:8080')).toBe('https://[::1]:8080/');
  });

  it('accepts a protocol-relative address', () => {
    expect(urlFromAddress('//example.com/a')).toBe('https://example.com/a');
  });

  it('turns an IDN address into punycode', () => {
    expect(urlFromAddress('bücher.example')).toBe('https://xn--bcher-kva.example/');
  });

  it.each(['hello', 'two words.com', 'mailto:a@example.com', 'javascript:alert(1)', 'ftp://example.com/', '', '   '])(
    'refuses %j',
    (input) => {
      expect(urlFromAddress(input)).toBeNull();
    },
  );
});
