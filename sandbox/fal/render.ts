import sharp from 'sharp';
import { GLYPH_HEIGHT, GLYPH_WIDTH, glyph } from './font';
import { Prng } from './knobs';

/**
 * Renders the sandbox's "generated" images: a seeded gradient with the prompt,
 * the image index and the model written on it in the built-in bitmap font,
 * drawn into a raw RGB buffer and encoded by sharp. The file's real size is
 * exactly the requested width × height.
 */
export type ImageFormat = 'jpeg' | 'png' | 'webp';

export const CONTENT_TYPES: Record<ImageFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

type Rgb = [number, number, number];

class Canvas {
  readonly pixels: Buffer;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = Buffer.alloc(width * height * 3);
  }

  gradient(top: Rgb, bottom: Rgb): void {
    const { width, height, pixels } = this;
    const row = Buffer.alloc(width * 3);
    for (let y = 0; y < height; y++) {
      const t = height > 1 ? y / (height - 1) : 0;
      const base: Rgb = [0, 1, 2].map((c) => Math.round(top[c]! + (bottom[c]! - top[c]!) * t)) as Rgb;
      for (let x = 0; x < width; x++) {
        // a faint diagonal stripe pattern so images are not flat colour
        const stripe = ((x + y) >> 5) & 1 ? 12 : 0;
        row[x * 3] = Math.min(255, base[0] + stripe);
        row[x * 3 + 1] = Math.min(255, base[1] + stripe);
        row[x * 3 + 2] = Math.min(255, base[2] + stripe);
      }
      row.copy(pixels, y * width * 3);
    }
  }

  rect(x0: number, y0: number, w: number, h: number, color: Rgb, alpha = 1): void {
    const x1 = Math.min(this.width, x0 + w);
    const y1 = Math.min(this.height, y0 + h);
    for (let y = Math.max(0, y0); y < y1; y++) {
      for (let x = Math.max(0, x0); x < x1; x++) {
        const i = (y * this.width + x) * 3;
        for (let c = 0; c < 3; c++) this.pixels[i + c] = Math.round(this.pixels[i + c]! * (1 - alpha) + color[c]! * alpha);
      }
    }
  }

  text(line: string, x: number, y: number, scale: number, color: Rgb): void {
    let cx = x;
    for (const ch of line) {
      const bitmap = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) {
        for (let gx = 0; gx < GLYPH_WIDTH; gx++) {
          if (bitmap[gy]![gx]) this.rect(cx + gx * scale, y + gy * scale, scale, scale, color);
        }
      }
      cx += (GLYPH_WIDTH + 1) * scale;
    }
  }
}

/** Greedy word wrap to `columns` characters (long words are cut). */
export function wrap(text: string, columns: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    for (let w = word; w.length > 0; ) {
      const room = line ? columns - line.length - 1 : columns;
      if (w.length <= room) {
        line = line ? `${line} ${w}` : w;
        w = '';
      } else if (line) {
        lines.push(line);
        line = '';
      } else {
        lines.push(w.slice(0, columns));
        w = w.slice(columns);
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

export interface RenderSpec {
  width: number;
  height: number;
  format: ImageFormat;
  prompt: string;
  /** 0-based index of the image in its request. */
  index: number;
  count: number;
  model: string;
  seed: number;
  /** Flagged by the safety checker: rendered black, as FAL does. */
  blackout?: boolean;
  /** A yellow top-left block: the OpenAI stand-in's marker for a defective image (knob `defectNext`). */
  defect?: boolean;
}

export async function renderImage(spec: RenderSpec): Promise<Buffer> {
  const canvas = new Canvas(spec.width, spec.height);
  if (!spec.blackout) {
    const rng = new Prng(spec.seed + spec.index * 7919);
    const colour = (): Rgb => [40 + rng.int(160), 40 + rng.int(160), 40 + rng.int(160)];
    canvas.gradient(colour(), colour());

    const scale = Math.max(1, Math.floor(Math.min(spec.width, spec.height) / 180));
    const cell = (GLYPH_WIDTH + 1) * scale;
    const lineHeight = (GLYPH_HEIGHT + 3) * scale;
    const margin = 2 * cell;
    const columns = Math.max(4, Math.floor((spec.width - 2 * margin) / cell));
    const maxLines = Math.max(1, Math.floor((spec.height - 2 * margin) / lineHeight) - 3);

    let lines = wrap(spec.prompt, columns);
    if (lines.length > maxLines) lines = [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]!.slice(0, columns - 3)}...`];
    const header = `#${spec.index + 1}/${spec.count}  ${spec.model}`.slice(0, columns);
    const footer = `seed ${spec.seed}  ${spec.width}x${spec.height}`.slice(0, columns);
    const block = [header, '', ...lines, '', footer];

    const boxHeight = block.length * lineHeight + scale * 4;
    const top = Math.max(0, Math.floor((spec.height - boxHeight) / 2));
    canvas.rect(0, top, spec.width, boxHeight, [0, 0, 0], 0.55);
    block.forEach((line, i) => canvas.text(line, margin, top + scale * 3 + i * lineHeight, scale, i === 0 ? [255, 220, 120] : [255, 255, 255]));
    if (spec.defect) canvas.rect(0, 0, Math.min(64, spec.width), Math.min(64, spec.height), [255, 255, 0], 1);
  }

  const image = sharp(canvas.pixels, { raw: { width: spec.width, height: spec.height, channels: 3 } });
  switch (spec.format) {
    case 'png':
      return image.png({ compressionLevel: 3 }).toBuffer();
    case 'webp':
      return image.webp({ quality: 80, effort: 0 }).toBuffer();
    default:
      return image.jpeg({ quality: 85 }).toBuffer();
  }
}
