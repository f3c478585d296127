import { pino, type Logger } from 'pino';

export type { Logger };

/** Object keys whose values are always replaced, at any depth we log. */
const REDACT_PATHS = [
  'token',
  'apiKey',
  'secret',
  'password',
  'authorization',
  'key',
  '*.token',
  '*.apiKey',
  '*.secret',
  '*.secretKey',
  '*.password',
  '*.authorization',
  '*.key',
  'headers.authorization',
  'headers["x-telegram-bot-api-secret-token"]',
  '*.headers.authorization',
];

/** Bot tokens appear inside Bot API URLs (`/bot123:ABC…/sendMessage`). */
const BOT_TOKEN_IN_TEXT = /\d{5,}:[\w-]{30,}/g;

export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(BOT_TOKEN_IN_TEXT, '[REDACTED]');
  for (const s of secrets) if (s) out = out.split(s).join('[REDACTED]');
  return out;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Exact values (tokens, keys) to scrub from every string logged. */
  secrets?: readonly string[];
  destination?: pino.DestinationStream;
}

/**
 * Structured JSON logs. Child loggers carry context (`workflowId`, `userId`,
 * `updateId`); known secret fields are redacted by key, and secret values are
 * scrubbed from messages and error texts.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const secrets = opts.secrets ?? [];
  const scrubDeep = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return scrubSecrets(value, secrets);
    if (depth > 4 || value === null || typeof value !== 'object') return value;
    if (value instanceof Error) {
      return { type: value.name, message: scrubSecrets(value.message, secrets), stack: value.stack && scrubSecrets(value.stack, secrets) };
    }
    if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, depth + 1)]));
  };
  return pino(
    {
      name: opts.name ?? 'aisha',
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { log: (obj) => scrubDeep(obj) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          const cleaned = args.map((a) => (typeof a === 'string' ? scrubSecrets(a, secrets) : a));
          return method.apply(this, cleaned as Parameters<typeof method>);
        },
      },
    },
    opts.destination,
  );
}
