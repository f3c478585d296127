import sharp from 'sharp';
import { badRequest } from './errors';
import { hash32 } from './random';

/**
 * Image inputs (chat `image_url` parts, moderation inputs) and the pixel
 * conventions the vision purposes decide by. A marker is the average colour of
 * the top-left 16×16 px block, matched within ±40 per channel (photos are
 * re-encoded as JPEG on the way, so exact colours do not survive).
 */
export const MARKERS = {
  red: [255, 0, 0],
  blue: [0, 0, 255],
  black: [0, 0, 0],
  magenta: [255, 0, 255],
  yellow: [255, 255, 0],
} as const satisfies Record<string, readonly [number, number, number]>;
export type Marker = keyof typeof MARKERS;
export const MARKER_TOLERANCE = 40;
/** Whole-image luminance standard deviation (0–255) below which a photo counts as blurred. */
export const BLUR_STDEV = 12;

export interface ImageFacts {
  width: number;
  height: number;
  format: string;
  marker: Marker | null;
  lumaMean: number;
  lumaStdev: number;
  orientation: 'landscape' | 'portrait' | 'square';
  brightness: 'dark' | 'dim' | 'balanced' | 'bright';
  colours: string[];
  /** Stable across small re-encoding differences (quantised 8×8 thumbnail). */
  fingerprint: number;
  /** Tokens the real API would bill for this image at this detail. */
  tokens: number;
}

const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
const FORMATS = ['png', 'jpeg', 'gif', 'webp'];
const unsupported = () =>
  badRequest(
    `You uploaded an unsupported image. Please make sure your image is below 20 MB in size and is of one the following formats: ['png', 'jpeg', 'gif', 'webp'].`,
    null,
    'invalid_image_format',
  );

/** Bytes of a `data:` URL or an http(s) URL (fetched, like the real API does). */
export async function loadImage(url: string): Promise<Buffer> {
  if (url.startsWith('data:')) {
    const m = /^data:([\w.+-]+\/[\w.+-]+)?(?:;[^,;]+)*;base64,(.*)$/s.exec(url);
    if (!m) throw badRequest('Invalid base64 image_url.', null, 'invalid_image_url');
    const buf = Buffer.from(m[2]!, 'base64');
    if (!buf.length) throw unsupported();
    return buf;
  }
  if (!/^https?:\/\//i.test(url)) throw badRequest(`Invalid image URL: '${url.slice(0, 100)}'. Expected a base64-encoded data URL with an image MIME type or an https URL.`, null, 'invalid_image_url');
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(String(res.status));
    return Buffer.from(await res.arrayBuffer());
  } catch {
    throw badRequest(`Error while downloading ${url}.`, 'url', 'invalid_image_url');
  }
}

const PALETTE: [string, number, number, number][] = [
  ['red', 210, 40, 40], ['orange', 240, 140, 30], ['yellow', 235, 215, 50], ['green', 60, 160, 70], ['teal', 30, 130, 130],
  ['cyan', 60, 200, 220], ['blue', 40, 70, 200], ['purple', 120, 60, 170], ['magenta', 220, 50, 200], ['pink', 240, 165, 190],
  ['brown', 125, 80, 45], ['black', 15, 15, 15], ['white', 240, 240, 240], ['grey', 128, 128, 128],
];

function colourName(r: number, g: number, b: number): string {
  let best = PALETTE[0]!;
  let bestD = Infinity;
  for (const p of PALETTE) {
    const d = (p[1] - r) ** 2 + (p[2] - g) ** 2 + (p[3] - b) ** 2;
    if (d < bestD) [best, bestD] = [p, d];
  }
  return best[0];
}

export async function analyseImage(buf: Buffer, detail = 'auto'): Promise<ImageFacts> {
  if (buf.length > MAX_IMAGE_BYTES) throw unsupported();
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>["metadata"]>>;
  try {
    meta = await sharp(buf).metadata();
  } catch {
    throw unsupported();
  }
  if (!meta.format || !FORMATS.includes(meta.format) || !meta.width || !meta.height) throw unsupported();
  const { width, height } = meta;
  const rgb = () => sharp(buf).removeAlpha().toColourspace('srgb');

  const block = await rgb()
    .extract({ left: 0, top: 0, width: Math.min(16, width), height: Math.min(16, height) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const avg = [0, 1, 2].map((c) => {
    let sum = 0;
    for (let i = c; i < block.data.length; i += block.info.channels) sum += block.data[i]!;
    return sum / (block.data.length / block.info.channels);
  });
  const marker =
    (Object.keys(MARKERS) as Marker[]).find((name) => MARKERS[name].every((v, c) => Math.abs(avg[c]! - v) <= MARKER_TOLERANCE)) ?? null;

  const luma = (await sharp(buf).greyscale().stats()).channels[0]!;
  const thumb = await rgb().resize(8, 8, { fit: 'fill' }).raw().toBuffer();
  const counts = new Map<string, number>();
  for (let i = 0; i + 2 < thumb.length; i += 3) {
    const name = colourName(thumb[i]!, thumb[i + 1]!, thumb[i + 2]!);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const colours = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 3).map(([n]) => n);

  const tiles = Math.ceil(Math.min(width, 2048) / 512) * Math.ceil(Math.min(height, 2048) / 512);
  return {
    width,
    height,
    format: meta.format,
    marker,
    lumaMean: luma.mean,
    lumaStdev: luma.stdev,
    orientation: width > height * 1.1 ? 'landscape' : height > width * 1.1 ? 'portrait' : 'square',
    brightness: luma.mean < 50 ? 'dark' : luma.mean < 100 ? 'dim' : luma.mean < 190 ? 'balanced' : 'bright',
    colours,
    fingerprint: hash32([...thumb].map((v) => v >> 5)),
    tokens: detail === 'low' ? 85 : 85 + 170 * tiles,
  };
}
