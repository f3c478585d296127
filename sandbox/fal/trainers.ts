import { createHash } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import type { JobOutcome } from './jobs';
import { Prng } from './knobs';
import { detail, download, InputReader, validationError, type ModelSpec, type RunContext } from './model-kit';

/**
 * LoRA trainers: `fal-ai/flux-lora-portrait-trainer` and
 * `fal-ai/flux-lora-fast-training`. The sandbox downloads `images_data_url`,
 * checks it is a zip with at least MIN_IMAGES real images (JPEG/PNG/WebP by
 * name and magic bytes) and answers with a LoRA in safetensors format
 * (deterministic bytes for the same input) plus a config file.
 */
export const MIN_IMAGES = 10;

const IMAGE_NAME = /\.(jpe?g|png|webp)$/i;
const MAGIC: Buffer[] = [Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('\x89PNG', 'latin1'), Buffer.from('RIFF', 'latin1')];

interface ZipEntryInfo {
  name: string;
  isImage: boolean;
}

/** Reads a zip's central directory; null when `buf` is not a (non-ZIP64) zip archive. */
export function inspectZip(buf: Buffer): ZipEntryInfo[] | null {
  if (buf.length < 22) return null;
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (cdOffset + cdSize > eocd) return null;

  const entries: ZipEntryInfo[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== 0x02014b50) return null;
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;

    const base = name.split('/').pop() ?? '';
    let isImage = IMAGE_NAME.test(name) && !name.startsWith('__MACOSX/') && !base.startsWith('.');
    if (isImage) {
      if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) return null;
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const raw = buf.subarray(start, start + compressed);
      let head: Buffer | undefined;
      try {
        head = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : undefined;
      } catch {
        head = undefined;
      }
      isImage = !!head && MAGIC.some((m) => head.subarray(0, m.length).equals(m));
    }
    entries.push({ name, isImage });
  }
  return entries;
}

/** A safetensors file: u64 LE header length, JSON header (tensor dtype/shape/offsets + __metadata__), raw tensor bytes. */
export function makeSafetensors(seed: number, metadata: Record<string, string>): Buffer {
  const rng = new Prng(seed);
  const shape = [4, 256];
  const bytesPerTensor = shape[0]! * shape[1]! * 2; // BF16
  const header: Record<string, unknown> = { __metadata__: metadata };
  const names: string[] = [];
  for (let block = 0; block < 4; block++) {
    for (const ab of ['A', 'B']) names.push(`transformer.single_transformer_blocks.${block}.attn.to_q.lora_${ab}.weight`);
  }
  names.forEach((name, i) => (header[name] = { dtype: 'BF16', shape, data_offsets: [i * bytesPerTensor, (i + 1) * bytesPerTensor] }));
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const data = Buffer.alloc(names.length * bytesPerTensor);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([length, Buffer.from(json, 'utf8'), data]);
}

export function isSafetensors(buf: Buffer): boolean {
  if (buf.length < 10) return false;
  const len = Number(buf.readBigUInt64LE(0));
  if (len <= 0 || 8 + len > buf.length) return false;
  try {
    const header = JSON.parse(buf.subarray(8, 8 + len).toString('utf8')) as unknown;
    return !!header && typeof header === 'object';
  } catch {
    return false;
  }
}

function trainer(id: string, opts: { triggerField: 'trigger_phrase' | 'trigger_word'; defaultSteps: number; style: boolean }): ModelSpec {
  return {
    id,
    kind: 'training',
    progress(input) {
      const steps = typeof input.steps === 'number' ? input.steps : opts.defaultSteps;
      return (f) => `step ${Math.round(steps * f)}/${steps}`;
    },
    async run(ctx: RunContext): Promise<JobOutcome> {
      const r = new InputReader(ctx.job.input);
      const url = r.string('images_data_url', { required: true });
      const trigger = r.string(opts.triggerField) ?? '';
      const steps = r.int('steps', { min: 1, max: 10_000, default: opts.defaultSteps });
      const isStyle = opts.style ? r.bool('is_style', false) : false;
      const createMasks = opts.style ? r.bool('create_masks', true) : true;
      const invalid = r.failure();
      if (invalid) return invalid;

      const got = await download(url, ctx.signal);
      if (!got.ok) {
        return validationError(detail(['images_data_url'], `Could not download the archive: ${got.reason}`, 'file_download_error', { input: url }));
      }
      const entries = inspectZip(got.data);
      if (!entries) return validationError(detail(['images_data_url'], 'The file is not a valid zip archive', 'invalid_archive', { input: url }));
      const images = entries.filter((e) => e.isImage).length;
      if (images < MIN_IMAGES) {
        return validationError(
          detail(['images_data_url'], `At least ${MIN_IMAGES} images are required for training, found ${images}`, 'not_enough_images', {
            input: url,
            ctx: { min_images: MIN_IMAGES, found: images },
          }),
        );
      }

      const digest = createHash('sha256').update(got.data).update(`${trigger}\n${steps}\n${isStyle}`).digest();
      const lora = makeSafetensors(digest.readUInt32LE(0), { format: 'pt', trigger_word: trigger, steps: String(steps), images: String(images), produced_by: 'aisha-fal-sandbox' });
      const config = Buffer.from(
        JSON.stringify({ base_model: 'black-forest-labs/FLUX.1-dev', trigger_word: trigger, steps, images, is_style: isStyle, create_masks: createMasks, request_id: ctx.job.requestId }, null, 2),
      );
      const loraFile = ctx.files.put(lora, 'pytorch_lora_weights.safetensors', 'application/octet-stream');
      const configFile = ctx.files.put(config, 'config.json', 'application/json');
      const describe = (f: typeof loraFile) => ({ url: f.url, content_type: f.contentType, file_name: f.fileName, file_size: f.data.length });
      return { ok: true, payload: { diffusers_lora_file: describe(loraFile), config_file: describe(configFile) } };
    },
  };
}

export const trainers = [
  trainer('fal-ai/flux-lora-portrait-trainer', { triggerField: 'trigger_phrase', defaultSteps: 2500, style: false }),
  trainer('fal-ai/flux-lora-fast-training', { triggerField: 'trigger_word', defaultSteps: 1000, style: true }),
];
