/** Link URLs normalised once for everyone: what `duplicate-url` compares and what the page stores. */

/** A scheme followed by `//` (`https://…`): the input names its scheme. */
const SCHEME_WITH_SLASHES = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A scheme without `//` (`mailto:…`, `javascript:…`), told apart from a `host:port` start. */
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]*:(?!\d)/i;

/**
 * The normal form of an http(s) URL, or null when `raw` is not one: scheme and host in lower
 * case, internationalised host names in punycode, the default port dropped, dot segments
 * resolved, an empty path made `/` (all WHATWG `URL` parsing), and the fragment dropped (it
 * never reaches the server that serves the page). Query and userinfo are kept as written.
 */
export function normalizeUrl(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  url.hash = '';
  return url.href;
}

/**
 * What a person typed as an address, as a normalised URL, or null when it is not one. An
 * address without a scheme is taken as https (`github.com/karakeep-app/karakeep` →
 * `https://github.com/karakeep-app/karakeep`); it needs a host with a dot, `localhost` or an
 * IP literal, so a bare word is not mistaken for an address. Other schemes are refused.
 */
export function urlFromAddress(input: string): string | null {
  const trimmed = input.trim();
  if (trimmed === '' || /\s/.test(trimmed)) return null;
  if (SCHEME_WITH_SLASHES.test(trimmed)) return normalizeUrl(trimmed);
  if (OTHER_SCHEME.test(trimmed)) return null;
  const candidate = normalizeUrl(`https://${trimmed.replace(/^\/\//, '')}`);
  if (candidate === null) return null;
  const host = new URL(candidate).hostname;
  const looksLikeHost = host.includes('.') || host === 'localhost' || host.startsWith('[');
  return looksLikeHost ? candidate : null;
}
