import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads the environment. Every variable name here is a
 * contract (DESIGN.md): the bot, the worker, docker-compose.yml and
 * .env.example all use exactly these names. A missing or malformed variable
 * stops start-up with one message listing every problem.
 */

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = z.url({ protocol: /^https?$/ });
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const starsPacks = z
  .string()
  .default('50:100,250:550,1000:2400')
  .transform((raw, ctx) => {
    const packs = raw
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => {
        const m = /^(\d+):(\d+)$/.exec(p);
        return m ? { id: `p${m[1]}`, stars: Number(m[1]), credits: Number(m[2]) } : null;
      });
    if (packs.length === 0 || packs.some((p) => p === null || p.stars === 0 || p.credits === 0)) {
      ctx.addIssue({ code: 'custom', message: 'expected "stars:credits" pairs, e.g. 50:100,250:550' });
      return z.NEVER;
    }
    return packs as { id: string; stars: number; credits: number }[];
  });

const telegramIds = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.some((s) => !/^\d+$/.test(s))) {
      ctx.addIssue({ code: 'custom', message: 'expected comma-separated numeric Telegram user ids' });
      return z.NEVER;
    }
    return ids.map((s) => Number(s));
  });

const baseSchema = z.object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    TELEGRAM_BOT_TOKEN: z.string().regex(/^\d+:[\w-]{20,}$/, 'expected a bot token like 123456:ABC-DEF…'),
    TELEGRAM_API_ROOT: url.default('https://api.telegram.org'),
    BOT_MODE: z.enum(['polling', 'webhook']).default('polling'),
    TELEGRAM_WEBHOOK_SECRET: optional(z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, '16–256 chars of A-Z a-z 0-9 _ -')),
    PUBLIC_BASE_URL: optional(url),
    HTTP_PORT: int(8080, 1).pipe(z.number().max(65535)),
    /** The worker's Prometheus endpoint (`/metrics`: Temporal SDK + job and credit series); 0 turns it off. */
    METRICS_PORT: int(9464, 0).pipe(z.number().max(65535)),

    FAL_KEY: optional(z.string().min(8)),
    FAL_PROXY_URL: optional(url),
    FAL_JWKS_URL: url.default('https://rest.alpha.fal.ai/.well-known/jwks.json'),
    /** How FAL gets the training archive: a presigned MinIO URL (needs MINIO_PUBLIC_URL), an upload to FAL storage, or auto. */
    FAL_ARCHIVE_UPLOAD: z.enum(['auto', 'presigned', 'fal_storage']).default('auto'),
    FAL_POLL_INTERVAL_SECONDS: int(30, 1),
    /** A waiting training's status checks space out up to this while its webhook is not due (workflows/fal-poll.ts). */
    FAL_POLL_MAX_SECONDS: int(300, 1),

    OPENAI_API_KEY: optional(z.string().min(8)),
    OPENAI_BASE_URL: url.default('https://api.openai.com/v1'),
    OPENAI_CHAT_MODEL: z.string().min(1).default('gpt-4o-mini'),
    OPENAI_VISION_MODEL: z.string().min(1).default('gpt-4o-mini'),
    OPENAI_TRANSCRIBE_MODEL: z.string().min(1).default('whisper-1'),
    /** Speaker labels ("Спикер 1: …") with a diarizing model, e.g. gpt-4o-transcribe-diarize; empty = off. */
    OPENAI_DIARIZE_MODEL: z.string().default(''),

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }),

    MINIO_ENDPOINT: z.string().min(1),
    MINIO_PORT: int(9000, 1).pipe(z.number().max(65535)),
    MINIO_USE_SSL: bool(false),
    MINIO_ACCESS_KEY: z.string().min(3),
    MINIO_SECRET_KEY: z.string().min(8),
    MINIO_PUBLIC_URL: optional(url),

    TEMPORAL_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'expected host:port').default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().regex(/^[\w-]+$/).default('aisha'),
    /** Workflows a worker keeps in memory between their tasks (the SDK's sticky cache; the SDK's own default grows with the heap limit, ~2 300 at 4 GB). */
    TEMPORAL_MAX_CACHED_WORKFLOWS: int(250, 1),

    ADMIN_TELEGRAM_IDS: telegramIds,

    AVATAR_MIN_PHOTOS: int(10, 1),
    AVATAR_MAX_PHOTOS: int(20, 1),
    AVATAR_TRAINING_DEADLINE_MINUTES: int(120, 1),
    AVATAR_DRAFT_TTL_HOURS: int(24, 1),

    /** Below this vision quality score (1–10) a generation gets one free retry with a corrected prompt. */
    GENERATION_QUALITY_THRESHOLD: int(5, 1).pipe(z.number().max(10)),
    GENERATION_DEADLINE_MINUTES: int(15, 1),

    /** Longer recordings are refused before anything is charged. */
    TRANSCRIPTION_MAX_MINUTES: int(180, 1),
    /** Longer recordings first show duration and price with a confirm button. */
    TRANSCRIPTION_CONFIRM_MINUTES: int(5, 0),
    /** Chunks of one recording transcribed at the same time. */
    TRANSCRIPTION_PARALLEL_CHUNKS: int(4, 1).pipe(z.number().max(32)),
    /** Longest chunk (seconds), cut at a quiet point: shorter chunks go more in parallel, at more requests. */
    TRANSCRIPTION_CHUNK_SECONDS: int(600, 60).pipe(z.number().max(1200)),
    LINK_IMPORT_ALLOW_PRIVATE: bool(false),
    /** The largest recording the upload page takes (MB), resumable (tus) into MinIO. */
    TRANSCRIPTION_MAX_UPLOAD_MB: int(2048, 1).pipe(z.number().max(10_240)),

    PRICE_AVATAR_TRAINING: int(150, 1),
    PRICE_AVATAR_IMAGE: int(5, 1),
    PRICE_IMAGEN_IMAGE: int(4, 1),
    PRICE_TRANSCRIPTION_MINUTE: int(1, 1),
    /** "📋 Кратко" under a finished transcript: one LLM summary, per transcript whatever its length. */
    PRICE_TRANSCRIPT_SUMMARY: int(2, 1),
    WELCOME_CREDITS: int(20, 0),
    STARS_PACKS: starsPacks,
});

export const envSchema = baseSchema.superRefine((env, ctx) => {
    if (env.FAL_ARCHIVE_UPLOAD === 'presigned' && !env.MINIO_PUBLIC_URL) {
      ctx.addIssue({ code: 'custom', path: ['MINIO_PUBLIC_URL'], message: 'required when FAL_ARCHIVE_UPLOAD=presigned (FAL must reach it)' });
    }
    if (env.BOT_MODE === 'webhook') {
      if (!env.TELEGRAM_WEBHOOK_SECRET)
        ctx.addIssue({ code: 'custom', path: ['TELEGRAM_WEBHOOK_SECRET'], message: 'required when BOT_MODE=webhook' });
      if (!env.PUBLIC_BASE_URL)
        ctx.addIssue({ code: 'custom', path: ['PUBLIC_BASE_URL'], message: 'required when BOT_MODE=webhook' });
    }
  });

/** Every variable the application reads: docker-compose.yml and .env.example are checked against it. */
export const CONFIG_VARIABLES = Object.keys(baseSchema.shape) as readonly string[];

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  logLevel: Env['LOG_LEVEL'];
  telegram: {
    token: string;
    apiRoot: string;
    mode: Env['BOT_MODE'];
    webhookSecret?: string;
  };
  http: { port: number; publicBaseUrl: string };
  /** The worker's `/metrics` port (0: none). */
  metrics: { port: number };
  fal: { key?: string; proxyUrl?: string; jwksUrl: string; archiveUpload: 'presigned' | 'fal_storage'; pollIntervalSeconds: number; pollMaxSeconds: number };
  /** `diarizeModel`: set when speaker labels are on (OPENAI_DIARIZE_MODEL). */
  openai: { apiKey?: string; baseUrl: string; chatModel: string; visionModel: string; transcribeModel: string; diarizeModel?: string };
  avatars: { minPhotos: number; maxPhotos: number; trainingDeadlineMinutes: number; draftTtlHours: number };
  generation: { qualityThreshold: number; deadlineMinutes: number };
  /** `linkImportAllowPrivate`: links to loopback/private addresses are fetched (only for a sandbox on this machine). */
  transcription: { maxMinutes: number; confirmMinutes: number; parallelChunks: number; chunkSeconds: number; maxUploadMb: number; linkImportAllowPrivate: boolean };
  databaseUrl: string;
  redisUrl: string;
  minio: { endPoint: string; port: number; useSSL: boolean; accessKey: string; secretKey: string; publicUrl?: string };
  temporal: { address: string; namespace: string; taskQueue: string; maxCachedWorkflows: number };
  adminTelegramIds: number[];
  tariffs: {
    avatarTraining: number;
    avatarImage: number;
    imagenImage: number;
    transcriptionMinute: number;
    transcriptSummary: number;
    welcomeCredits: number;
    starsPacks: { id: string; stars: number; credits: number }[];
  };
  /** Values that must never reach a log line. */
  secrets: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates `source` (the process environment by default) into a Config, or throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const name = String(i.path[0] ?? '(environment)');
      const value = source[name];
      return `${name}: ${value === undefined || value === '' ? 'missing' : i.message}`;
    });
    throw new ConfigError([...new Set(problems)]);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    telegram: {
      token: e.TELEGRAM_BOT_TOKEN,
      apiRoot: e.TELEGRAM_API_ROOT.replace(/\/$/, ''),
      mode: e.BOT_MODE,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
    },
    http: { port: e.HTTP_PORT, publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://127.0.0.1:${e.HTTP_PORT}`).replace(/\/$/, '') },
    metrics: { port: e.METRICS_PORT },
    fal: {
      key: e.FAL_KEY,
      proxyUrl: e.FAL_PROXY_URL,
      jwksUrl: e.FAL_JWKS_URL,
      archiveUpload: e.FAL_ARCHIVE_UPLOAD === 'auto' ? (e.MINIO_PUBLIC_URL ? 'presigned' : 'fal_storage') : e.FAL_ARCHIVE_UPLOAD,
      pollIntervalSeconds: e.FAL_POLL_INTERVAL_SECONDS,
      pollMaxSeconds: Math.max(e.FAL_POLL_MAX_SECONDS, e.FAL_POLL_INTERVAL_SECONDS),
    },
    avatars: {
      minPhotos: e.AVATAR_MIN_PHOTOS,
      maxPhotos: Math.max(e.AVATAR_MIN_PHOTOS, e.AVATAR_MAX_PHOTOS),
      trainingDeadlineMinutes: e.AVATAR_TRAINING_DEADLINE_MINUTES,
      draftTtlHours: e.AVATAR_DRAFT_TTL_HOURS,
    },
    generation: { qualityThreshold: e.GENERATION_QUALITY_THRESHOLD, deadlineMinutes: e.GENERATION_DEADLINE_MINUTES },
    transcription: {
      maxMinutes: e.TRANSCRIPTION_MAX_MINUTES,
      confirmMinutes: e.TRANSCRIPTION_CONFIRM_MINUTES,
      parallelChunks: e.TRANSCRIPTION_PARALLEL_CHUNKS,
      chunkSeconds: e.TRANSCRIPTION_CHUNK_SECONDS,
      maxUploadMb: e.TRANSCRIPTION_MAX_UPLOAD_MB,
      linkImportAllowPrivate: e.LINK_IMPORT_ALLOW_PRIVATE,
    },
    openai: {
      apiKey: e.OPENAI_API_KEY,
      baseUrl: e.OPENAI_BASE_URL.replace(/\/$/, ''),
      chatModel: e.OPENAI_CHAT_MODEL,
      visionModel: e.OPENAI_VISION_MODEL,
      transcribeModel: e.OPENAI_TRANSCRIBE_MODEL,
      ...(e.OPENAI_DIARIZE_MODEL.trim() ? { diarizeModel: e.OPENAI_DIARIZE_MODEL.trim() } : {}),
    },
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    minio: {
      endPoint: e.MINIO_ENDPOINT,
      port: e.MINIO_PORT,
      useSSL: e.MINIO_USE_SSL,
      accessKey: e.MINIO_ACCESS_KEY,
      secretKey: e.MINIO_SECRET_KEY,
      publicUrl: e.MINIO_PUBLIC_URL,
    },
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE, maxCachedWorkflows: e.TEMPORAL_MAX_CACHED_WORKFLOWS },
    adminTelegramIds: e.ADMIN_TELEGRAM_IDS,
    tariffs: {
      avatarTraining: e.PRICE_AVATAR_TRAINING,
      avatarImage: e.PRICE_AVATAR_IMAGE,
      imagenImage: e.PRICE_IMAGEN_IMAGE,
      transcriptionMinute: e.PRICE_TRANSCRIPTION_MINUTE,
      transcriptSummary: e.PRICE_TRANSCRIPT_SUMMARY,
      welcomeCredits: e.WELCOME_CREDITS,
      starsPacks: e.STARS_PACKS,
    },
    secrets: [e.TELEGRAM_BOT_TOKEN, e.TELEGRAM_WEBHOOK_SECRET, e.FAL_KEY, e.OPENAI_API_KEY, e.MINIO_SECRET_KEY].filter(
      (s): s is string => typeof s === 'string' && s.length >= 8,
    ),
  };
}

/**
 * Entry points call this: loads `.env` when present (values already in the
 * environment win), validates, and on failure prints the problems and exits.
 */
export function loadConfigOrExit(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(78);
    }
    throw err;
  }
}

function parseSection<K extends keyof typeof baseSchema.shape>(keys: readonly K[], source: NodeJS.ProcessEnv) {
  const mask = Object.fromEntries(keys.map((k) => [k, true])) as Record<string, true>;
  const schema = baseSchema.pick(mask as Parameters<typeof baseSchema.pick>[0]);
  const parsed = schema.safeParse(source);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`));
  return parsed.data as z.infer<typeof baseSchema>;
}

/** Just the MinIO part, for scripts that run before the rest of the configuration exists. */
export function loadMinioConfig(source: NodeJS.ProcessEnv = process.env): Config['minio'] {
  const e = parseSection(['MINIO_ENDPOINT', 'MINIO_PORT', 'MINIO_USE_SSL', 'MINIO_ACCESS_KEY', 'MINIO_SECRET_KEY', 'MINIO_PUBLIC_URL'], source);
  return {
    endPoint: e.MINIO_ENDPOINT,
    port: e.MINIO_PORT,
    useSSL: e.MINIO_USE_SSL,
    accessKey: e.MINIO_ACCESS_KEY,
    secretKey: e.MINIO_SECRET_KEY,
    publicUrl: e.MINIO_PUBLIC_URL,
  };
}

/** Just the Temporal part (operator tools such as `npm run replay`). Loads `.env` when present. */
export function loadTemporalConfig(source: NodeJS.ProcessEnv = process.env, envFile = '.env'): Config['temporal'] {
  if (source === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const e = parseSection(['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_MAX_CACHED_WORKFLOWS'], source);
  return { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE, maxCachedWorkflows: e.TEMPORAL_MAX_CACHED_WORKFLOWS };
}

/** The documented ports of the stand-ins when they run as processes (tests use free ports). */
export const SANDBOX_PORTS = { telegram: 8081, fal: 8082, openai: 8083 } as const;

export interface DemoSettings {
  /** Which stand-ins replace a service whose key is missing. */
  sandboxes: { telegram: boolean; fal: boolean; openai: boolean };
  telegramToken: string;
  httpPort: number;
  temporalUiUrl: string;
  /** Ports of the stand-ins (SANDBOX_TELEGRAM_PORT, …; default 8081–8083). */
  sandboxPorts: { telegram: number; fal: number; openai: number };
  /** Where the worker's and the bot's logs go in the demo (the services' log folder). */
  logDir: string;
  /** Where nginx keeps its rendered config, pid and temp files (`--production`). */
  runDir: string;
  /**
   * `npm run demo -- --production`: nginx's public and internal listeners
   * (AISHA_NGINX_PUBLIC_PORT 8090, AISHA_NGINX_INTERNAL_PORT 8091), the two
   * bots' HTTP ports (AISHA_DEMO_BOT_PORTS 8084,8085) and the two workers'
   * metrics ports (AISHA_DEMO_WORKER_METRICS_PORTS 9465,9466).
   */
  production: { publicPort: number; internalPort: number; botPorts: [number, number]; workerMetricsPorts: [number, number] };
}

/** The current environment plus `extra`: what the demo launcher hands to the processes it starts. */
export function environmentWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/** What the demo launcher needs (scripts/demo.sh exports it). */
export function loadDemoSettings(source: NodeJS.ProcessEnv = process.env): DemoSettings {
  const port = (name: string, def: number) => {
    const n = Number(source[name] ?? def);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError([`${name}: expected a port number`]);
    return n;
  };
  const portPair = (name: string, def: string): [number, number] => {
    const ps = (source[name] || def).split(',').map(Number);
    if (ps.length !== 2 || ps.some((n) => !Number.isInteger(n) || n < 1 || n > 65535)) throw new ConfigError([`${name}: expected two port numbers, e.g. ${def}`]);
    return [ps[0]!, ps[1]!];
  };
  return {
    sandboxes: { telegram: source.AISHA_DEMO_SANDBOX === '1', fal: !source.FAL_KEY, openai: !source.OPENAI_API_KEY },
    telegramToken: source.TELEGRAM_BOT_TOKEN ?? '',
    httpPort: port('HTTP_PORT', 8080),
    temporalUiUrl: `http://127.0.0.1:${port('TEMPORAL_UI_PORT', 8233)}`,
    sandboxPorts: {
      telegram: port('SANDBOX_TELEGRAM_PORT', SANDBOX_PORTS.telegram),
      fal: port('SANDBOX_FAL_PORT', SANDBOX_PORTS.fal),
      openai: port('SANDBOX_OPENAI_PORT', SANDBOX_PORTS.openai),
    },
    logDir: join(source.AISHA_DATA_DIR || '.data', 'logs'),
    runDir: join(source.AISHA_DATA_DIR || '.data', 'run'),
    production: {
      publicPort: port('AISHA_NGINX_PUBLIC_PORT', 8090),
      internalPort: port('AISHA_NGINX_INTERNAL_PORT', 8091),
      botPorts: portPair('AISHA_DEMO_BOT_PORTS', '8084,8085'),
      workerMetricsPorts: portPair('AISHA_DEMO_WORKER_METRICS_PORTS', '9465,9466'),
    },
  };
}

/** Benchmarks use DATABASE_URL and REDIS_URL (from `.env` when present). */
export function loadBenchServiceUrls(source: NodeJS.ProcessEnv = process.env, envFile = '.env'): { databaseUrl: string; redisUrl: string } {
  if (source === process.env && existsSync(envFile)) process.loadEnvFile(envFile);
  const e = parseSection(['DATABASE_URL', 'REDIS_URL'], source);
  return { databaseUrl: e.DATABASE_URL, redisUrl: e.REDIS_URL };
}
