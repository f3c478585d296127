import sharp from 'sharp';

/**
 * Perceptual "difference hash" (dHash): the image shrunk to 9×8 grey pixels,
 * one bit per horizontally adjacent pair (1 when the left pixel is brighter).
 * Re-encoding, resizing or mild compression barely changes it, so two
 * uploads of the same photo are found by a small Hamming distance even when
 * their bytes (and SHA-256) differ.
 */
const HASH_WIDTH = 9;
const HASH_HEIGHT = 8;
const HEX_DIGITS = 16;

/** A 64-bit difference hash of `image` (any format sharp decodes) as 16 lowercase hex characters. */
export async function dHash(image: Buffer): Promise<string> {
  const { data, info } = await sharp(image)
    .rotate() // as the photo is seen: apply the EXIF orientation
    .flatten({ background: '#ffffff' })
    .grayscale()
    .resize(HASH_WIDTH, HASH_HEIGHT, { fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = info.channels;
  const at = (x: number, y: number) => data[(y * HASH_WIDTH + x) * channels]!;
  let hash = 0n;
  for (let y = 0; y < HASH_HEIGHT; y++) {
    for (let x = 0; x < HASH_WIDTH - 1; x++) {
      hash = (hash << 1n) | (at(x, y) > at(x + 1, y) ? 1n : 0n);
    }
  }
  return hash.toString(16).padStart(HEX_DIGITS, '0');
}

/** Number of differing bits between two hashes from dHash (0 = same picture, 64 = opposite). */
export function hammingDistance(a: string, b: string): number {
  const valid = /^[0-9a-f]{16}$/i;
  if (!valid.test(a) || !valid.test(b)) throw new TypeError(`expected two 16-hex-digit hashes, got ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  let diff = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (diff) {
    count += Number(diff & 1n);
    diff >>= 1n;
  }
  return count;
}
