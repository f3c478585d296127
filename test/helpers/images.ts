import sharp from 'sharp';

/**
 * A photo with real texture (seeded noise over a gradient), so the stand-in
 * vision model does not call it blurred and every seed gives a different
 * image hash. `marker` paints the top-left 64×64 block in the OpenAI
 * sandbox's convention (red: no face, blue: two faces, black: occluded,
 * magenta: explicit).
 */
export async function photo(seed: number, opts: { width?: number; height?: number; marker?: [number, number, number]; format?: 'jpeg' | 'png' | 'webp' } = {}): Promise<Buffer> {
  const width = opts.width ?? 1024;
  const height = opts.height ?? 768;
  const raw = Buffer.alloc(width * height * 3);
  let s = (seed * 2654435761) >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
  // A seeded 6×5 grid of brightness cells: large-scale structure that differs per seed
  // (so perceptual hashes differ), kept away from the sandbox's colour markers.
  const cols = 6;
  const rows = 5;
  const cells = Array.from({ length: cols * rows }, () => 70 + (next() % 150));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const base = cells[Math.floor((y * rows) / height) * cols + Math.floor((x * cols) / width)]!;
      const noise = next();
      const i = (y * width + x) * 3;
      raw[i] = Math.min(255, base + (noise & 31));
      raw[i + 1] = Math.min(255, base + ((noise >> 8) & 31) - 10);
      raw[i + 2] = Math.min(255, Math.max(0, base - 20 + ((noise >> 16) & 31)));
      if (opts.marker && x < 64 && y < 64) [raw[i], raw[i + 1], raw[i + 2]] = opts.marker;
    }
  }
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  return opts.format === 'png' ? img.png().toBuffer() : opts.format === 'webp' ? img.webp().toBuffer() : img.jpeg({ quality: 90 }).toBuffer();
}
