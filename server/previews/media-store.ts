/**
 * Images the server fetched, checked to be real images, resized with sharp and stored
 * content-addressed as `<DATA_DIR>/media/<sha256>.webp`; the card holds `/media/<sha256>.webp`.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { UnfurlError } from './unfurl-error.ts';

export type ImageRole = 'cover' | 'favicon';

/**
 * Raster formats taken in, as sharp names them; anything else (SVG, PDF, HEIF that is not AVIF,
 * TIFF, RAW…) is not a picture for a card. SVG is refused: it is a document that may carry
 * scripts and refer to other files, and its renderer is more code facing what a site sent.
 */
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif']);

/** The first bytes of each accepted format; an input without one never reaches a decoder. */
function looksLikeRaster(data: Buffer): boolean {
  const starts = (bytes: number[], at = 0) => bytes.every((byte, i) => data[at + i] === byte);
  return (
    starts([0xff, 0xd8, 0xff]) || // JPEG
    starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) || // PNG
    starts([0x47, 0x49, 0x46, 0x38]) || // GIF8
    (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) || // RIFF....WEBP
    (starts([0x66, 0x74, 0x79, 0x70], 4) && /^avi[fs]$/.test(data.toString('latin1', 8, 12))) // ftypavif
  );
}
/** Bounds what one image may cost to decode (sharp's default is 268 megapixels). */
const MAX_INPUT_PIXELS = 40_000_000;
const SIZES: Record<ImageRole, { width: number; height: number; fit: 'inside' | 'contain'; quality: number }> = {
  cover: { width: 800, height: 800, fit: 'inside', quality: 78 },
  favicon: { width: 64, height: 64, fit: 'contain', quality: 90 },
};
const HASH = /^[0-9a-f]{64}$/;

// One libvips thread per image and no operation cache: previews are background work on a small server.
sharp.concurrency(1);
sharp.cache(false);

/** The largest PNG image inside a Windows icon file; null when it holds only bitmaps (which sharp cannot read). */
export function pngInIco(data: Buffer): Buffer | null {
  if (data.length < 6 || data.readUInt16LE(0) !== 0 || data.readUInt16LE(2) !== 1) return null;
  const count = data.readUInt16LE(4);
  let best: Buffer | null = null;
  let bestSize = -1;
  for (let i = 0; i < count && 6 + (i + 1) * 16 <= data.length; i++) {
    const entry = 6 + i * 16;
    const size = data[entry] || 256;
    const length = data.readUInt32LE(entry + 8);
    const offset = data.readUInt32LE(entry + 12);
    if (offset + length > data.length) continue;
    const image = data.subarray(offset, offset + length);
    const isPng = image.length > 8 && image.readUInt32BE(0) === 0x89504e47;
    if (isPng && size > bestSize) {
      best = image;
      bestSize = size;
    }
  }
  return best;
}

const notAnImage = (detail: string) => new UnfurlError(`The ${detail} is not an image Burrow can read.`, false);

/** Resizes an image to its role's size as WebP; throws UnfurlError when `input` is not a real image. */
export async function toWebp(input: Buffer, role: ImageRole): Promise<Buffer> {
  const source = pngInIco(input) ?? input;
  const size = SIZES[role];
  if (!looksLikeRaster(source)) throw notAnImage(role === 'cover' ? 'cover image' : 'icon');
  try {
    const image = sharp(source, { limitInputPixels: MAX_INPUT_PIXELS, animated: false, failOn: 'error' });
    const { format } = await image.metadata();
    if (!format || !ACCEPTED_FORMATS.has(format)) throw notAnImage(role === 'cover' ? 'cover image' : 'icon');
    return await image
      .rotate()
      .resize({
        width: size.width,
        height: size.height,
        fit: size.fit,
        withoutEnlargement: role === 'cover',
        background: { r: 0, g: 0, b: 0, alpha: 0 },
      })
      .webp({ quality: size.quality })
      .toBuffer();
  } catch (error) {
    if (error instanceof UnfurlError) throw error;
    throw notAnImage(role === 'cover' ? 'cover image' : 'icon');
  }
}

export class MediaStore {
  constructor(readonly dir: string) {}

  /** The file of a stored image, or null when `hash` is not a SHA-256 in hex. */
  file(hash: string): string | null {
    return HASH.test(hash) ? path.join(this.dir, `${hash}.webp`) : null;
  }

  /** Stores WebP bytes under their SHA-256 (once: the same bytes are the same file) and returns the hash. */
  async put(webp: Buffer): Promise<string> {
    const hash = createHash('sha256').update(webp).digest('hex');
    const file = path.join(this.dir, `${hash}.webp`);
    // Stored already: dated now, so the reaper (which spares recent files) leaves it to this preview's grant.
    if (await touched(file)) return hash;
    await mkdir(this.dir, { recursive: true });
    // Written aside and renamed: a reader never sees half a file, and a crash leaves only a temp file.
    const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, webp);
    await rename(temporary, file);
    return hash;
  }

  /** The stored bytes, or null when there is no such image. */
  async read(hash: string): Promise<Buffer | null> {
    const file = this.file(hash);
    if (!file) return null;
    try {
      return await readFile(file);
    } catch {
      return null;
    }
  }

  /**
   * Deletes the image files last written before `before` (ms since epoch) that no user is
   * granted any more (`granted` tells which of a batch are), and temp files a crash left; returns
   * how many went. Recent files are spared: a preview stores its images before its grant.
   */
  async reapUnused(before: number, granted: (hashes: string[]) => Promise<Set<string>>): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0; // no image stored yet
    }
    const old: string[] = [];
    for (const name of names) {
      const mtime = await modifiedAt(path.join(this.dir, name));
      if (mtime !== null && mtime < before) old.push(name);
    }
    const temporary = old.filter((name) => name.endsWith('.tmp'));
    const hashes = old.map((name) => /^([0-9a-f]{64})\.webp$/.exec(name)?.[1]).filter((hash) => hash !== undefined);
    let reaped = 0;
    for (let start = 0; start < hashes.length; start += REAP_BATCH) {
      const batch = hashes.slice(start, start + REAP_BATCH);
      const kept = await granted(batch);
      for (const hash of batch) if (!kept.has(hash)) reaped += await removed(path.join(this.dir, `${hash}.webp`));
    }
    for (const name of temporary) reaped += await removed(path.join(this.dir, name));
    return reaped;
  }
}

/** Hashes asked about in one look-up while reaping. */
const REAP_BATCH = 500;

/** Sets the file's times to now; false when there is no such file. */
async function touched(file: string): Promise<boolean> {
  const now = new Date();
  try {
    await utimes(file, now, now);
    return true;
  } catch {
    return false;
  }
}

async function modifiedAt(file: string): Promise<number | null> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return null;
  }
}

async function removed(file: string): Promise<number> {
  try {
    await unlink(file);
    return 1;
  } catch {
    return 0;
  }
}
