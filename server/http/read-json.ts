/** Reads a JSON request body under a byte limit: 415 for other media types, 413 over the limit, 400 if malformed. */
import type { Context } from 'hono';
import { fail } from '../problem.ts';

export interface JsonBody {
  /** The raw text, for the Idempotency-Key fingerprint. */
  raw: string;
  value: unknown;
}

function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'));
}

const tooLarge = (maxBytes: number) => fail(413, 'too-large', `The body may not exceed ${maxBytes} bytes.`);

async function readLimited(stream: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array> {
  if (!stream) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read().catch(() => {
      // The connection ended mid-body: the client left, or the request deadline cut it.
      throw fail(400, 'invalid-request', 'The body did not arrive whole.');
    });
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** The parsed body of a JSON request; throws the matching problem otherwise. */
export async function readJson(c: Context, maxBytes: number): Promise<JsonBody> {
  if (!isJsonMediaType(c.req.header('content-type'))) {
    throw fail(415, 'unsupported-media-type', 'Send the body as application/json.');
  }
  const declared = Number(c.req.header('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const bytes = await readLimited(c.req.raw.body, maxBytes);
  let raw: string;
  try {
    raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw fail(400, 'invalid-request', 'The body is not valid UTF-8.');
  }
  try {
    return { raw, value: JSON.parse(raw) };
  } catch {
    throw fail(400, 'invalid-request', 'The body is not valid JSON.');
  }
}
