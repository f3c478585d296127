import { detail, download, InputReader, validationError, type ModelSpec, type RunContext } from './model-kit';
import type { JobOutcome } from './jobs';
import { CONTENT_TYPES, renderImage, type ImageFormat } from './render';
import { isSafetensors } from './trainers';

/**
 * Text-to-image models: `fal-ai/flux-lora` and `fal-ai/imagen4/preview`
 * (+ `/fast`, `/ultra`). Inputs are checked like FAL's (422 with a `detail`
 * array), LoRA weights are really downloaded, and every image is a real file
 * of exactly the reported size with the prompt written on it.
 */
const FLUX_SIZES = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
} as const satisfies Record<string, readonly [number, number]>;
type FluxPreset = keyof typeof FLUX_SIZES;

const IMAGEN_SIZES = {
  '1:1': [1024, 1024],
  '16:9': [1408, 768],
  '9:16': [768, 1408],
  '4:3': [1280, 896],
  '3:4': [896, 1280],
} as const satisfies Record<string, readonly [number, number]>;
type AspectRatio = keyof typeof IMAGEN_SIZES;

/** The sandbox caps custom sizes to keep rendering cheap (FAL allows larger). */
const MAX_SIDE = 2048;
const MIN_SIDE = 64;

function fluxSize(r: InputReader): [number, number] {
  const v = r.input.image_size;
  if (v === undefined || v === null) return [...FLUX_SIZES.landscape_4_3];
  if (typeof v === 'string') {
    if (v in FLUX_SIZES) return [...FLUX_SIZES[v as FluxPreset]];
    r.issues.push(detail(['image_size'], `Input should be one of ${Object.keys(FLUX_SIZES).join(', ')} or {width, height}`, 'literal_error', { input: v }));
    return [...FLUX_SIZES.landscape_4_3];
  }
  const { width, height } = (v ?? {}) as { width?: unknown; height?: unknown };
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= MIN_SIDE && n <= MAX_SIDE;
  if (!ok(width) || !ok(height)) {
    r.issues.push(detail(['image_size'], `width and height should be integers between ${MIN_SIDE} and ${MAX_SIDE}`, 'value_error', { input: v }));
    return [...FLUX_SIZES.landscape_4_3];
  }
  return [width, height];
}

function loraList(r: InputReader): { path: string; scale: number }[] {
  const v = r.input.loras;
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    r.issues.push(detail(['loras'], 'Input should be a valid list', 'list_type', { input: v }));
    return [];
  }
  if (v.length > 5) r.issues.push(detail(['loras'], 'List should have at most 5 items', 'too_long', { ctx: { max_length: 5 } }));
  return v.flatMap((item: unknown, i) => {
    const { path, scale = 1 } = (item ?? {}) as { path?: unknown; scale?: unknown };
    if (typeof path !== 'string' || !path) {
      r.issues.push(detail(['loras', i, 'path'], 'Field required', 'missing'));
      return [];
    }
    if (typeof scale !== 'number' || scale < 0 || scale > 4) {
      r.issues.push(detail(['loras', i, 'scale'], 'Input should be a number between 0 and 4', 'value_error', { input: scale }));
      return [];
    }
    return [{ path, scale }];
  });
}

interface Rendered {
  images: { url: string; width: number; height: number; content_type: string; file_name: string; file_size: number }[];
  flags: boolean[];
}

async function renderAll(ctx: RunContext, opts: { prompt: string; n: number; width: number; height: number; format: ImageFormat; seed: number; safety: boolean }): Promise<Rendered> {
  const { job, markers, knobs, files } = ctx;
  const flags = Array.from({ length: opts.n }, (_, i) => opts.safety && (markers.nsfw.includes(i) || (job.rolls.nsfw[i] ?? 1) < knobs.nsfwRate));
  const ext = opts.format === 'jpeg' ? 'jpg' : opts.format;
  const images = await Promise.all(
    flags.map(async (blackout, index) => {
      const defect = knobs.defectNext > 0;
      if (defect) knobs.defectNext -= 1;
      const data = await renderImage({ ...opts, index, count: opts.n, model: job.endpointId, blackout, defect });
      const stored = files.put(data, `${job.requestId.slice(0, 8)}-${index}.${ext}`, CONTENT_TYPES[opts.format]);
      return { url: stored.url, width: opts.width, height: opts.height, content_type: stored.contentType, file_name: stored.fileName, file_size: data.length };
    }),
  );
  return { images, flags };
}

const seedOf = (r: InputReader, fallback: number) => r.int('seed', { min: 0, max: 2 ** 32 - 1, default: fallback });

export const fluxLora: ModelSpec = {
  id: 'fal-ai/flux-lora',
  kind: 'image',
  progress(input) {
    const steps = typeof input.num_inference_steps === 'number' ? input.num_inference_steps : 28;
    return (f) => `step ${Math.round(steps * f)}/${steps}`;
  },
  async run(ctx): Promise<JobOutcome> {
    const r = new InputReader(ctx.job.input);
    const prompt = r.string('prompt', { required: true });
    const [width, height] = fluxSize(r);
    const n = r.int('num_images', { min: 1, max: 4, default: 1 });
    const seed = seedOf(r, ctx.job.rolls.seed);
    r.int('num_inference_steps', { min: 1, max: 50, default: 28 });
    const safety = r.bool('enable_safety_checker', true);
    const format = r.oneOf('output_format', ['jpeg', 'png'] as const, 'jpeg');
    const loras = loraList(r);
    const invalid = r.failure();
    if (invalid) return invalid;

    for (const [i, lora] of loras.entries()) {
      const got = await download(lora.path, ctx.signal);
      if (!got.ok || !isSafetensors(got.data)) {
        const why = got.ok ? 'not a safetensors file' : got.reason;
        return validationError(detail(['loras', i, 'path'], `Could not load LoRA weights from ${lora.path}: ${why}`, 'file_download_error', { input: lora.path }));
      }
    }

    const started = Date.now();
    const { images, flags } = await renderAll(ctx, { prompt, n, width, height, format, seed, safety });
    return {
      ok: true,
      payload: {
        images: images.map(({ url, width: w, height: h, content_type }) => ({ url, width: w, height: h, content_type })),
        timings: { inference: (Date.now() - started) / 1000 },
        seed,
        has_nsfw_concepts: flags,
        prompt,
      },
    };
  },
};

function imagen(id: string, opts: { resolution: boolean }): ModelSpec {
  return {
    id,
    kind: 'image',
    progress: () => (f) => `step ${Math.round(50 * f)}/50`,
    async run(ctx): Promise<JobOutcome> {
      const r = new InputReader(ctx.job.input);
      const prompt = r.string('prompt', { required: true });
      r.string('negative_prompt');
      const aspect = r.oneOf('aspect_ratio', Object.keys(IMAGEN_SIZES) as AspectRatio[], '1:1');
      const n = r.int('num_images', { min: 1, max: 4, default: 1 });
      const seed = seedOf(r, ctx.job.rolls.seed);
      const format = r.oneOf('output_format', ['jpeg', 'png', 'webp'] as const, 'png');
      const resolution = opts.resolution ? r.oneOf('resolution', ['1K', '2K'] as const, '1K') : '1K';
      const invalid = r.failure();
      if (invalid) return invalid;

      const factor = resolution === '2K' ? 2 : 1;
      const [width, height] = IMAGEN_SIZES[aspect].map((side) => side * factor) as [number, number];
      const started = Date.now();
      const { images, flags } = await renderAll(ctx, { prompt, n, width, height, format, seed, safety: true });
      return { ok: true, payload: { images, seed, has_nsfw_concepts: flags, prompt, timings: { inference: (Date.now() - started) / 1000 } } };
    },
  };
}

export const imagen4 = [
  imagen('fal-ai/imagen4/preview', { resolution: true }),
  imagen('fal-ai/imagen4/preview/fast', { resolution: false }),
  imagen('fal-ai/imagen4/preview/ultra', { resolution: true }),
];
