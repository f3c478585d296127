import http from 'node:http';
import { listen, readJson, sendJson } from '../http-util';
import { CHAT_MODEL, createChatCompletion } from './chat';
import { ApiError, badRequest, rateLimited, serverError, unauthorized } from './errors';
import { createModeration } from './moderations';
import { parseMultipart } from '../multipart';
import { prng, stableId } from './random';
import { createTranscription, MAX_FILE_BYTES, tooLarge } from './transcriptions';

/**
 * A stand-in for the OpenAI HTTP API (https://platform.openai.com/docs/api-reference)
 * that the real `openai` SDK talks to: chat completions (text, vision,
 * Structured Outputs), audio transcriptions, moderations, models. Everything
 * is deterministic for a seed. See README.md for routes, knobs, purposes and
 * the pixel / tone conventions tests rely on.
 */
export interface OpenAISandboxOptions {
  port?: number;
  /** Seeds the failure PRNG and the generic JSON generator (default 1). */
  seed?: number;
  /** When set, only this key is accepted; otherwise any `Bearer` token is. */
  apiKey?: string;
}

export interface OpenAIKnobs {
  /** Added to every /v1 request. */
  latencyMs: number;
  /** Transcriptions also wait this long per second of audio. */
  latencyPerAudioSecondMs: number;
  /** Benches: take an Ogg/Opus file's length from its container and answer placeholder words (no decoding, no CPU per request). */
  transcribeWithoutDecoding: boolean;
  /** The next N /v1 requests get 429 with `retry-after: retryAfterSeconds`. */
  fail429Next: number;
  retryAfterSeconds: number;
  /** The next N /v1 requests get 500. */
  fail5xxNext: number;
  /** Probability (0–1) of a 429 / 500 on any /v1 request (seeded PRNG). */
  rate429: number;
  rate5xx: number;
  /** The next N Structured Outputs requests answer with a refusal. */
  refuseNext: number;
}

export interface LoggedRequest {
  id: string;
  at: number;
  method: string;
  path: string;
  status: number;
  /** `x-stainless-retry-count` sent by the SDK (0 for the first attempt). */
  retryCount: number;
  model?: string;
  /** `response_format.json_schema.name` of a chat request. */
  purpose?: string;
  /** JSON body (data URLs shortened) or multipart fields (files as {filename, size}). */
  body?: unknown;
  responseHeaders: Record<string, string>;
  error?: string;
}

const DEFAULT_KNOBS: OpenAIKnobs = {
  latencyMs: 0, latencyPerAudioSecondMs: 0, transcribeWithoutDecoding: false, fail429Next: 0, retryAfterSeconds: 1, fail5xxNext: 0, rate429: 0, rate5xx: 0, refuseNext: 0,
};
/** Requests bigger than this are drained and answered 413 (files themselves are limited to 25 MiB). */
const MAX_BODY_BYTES = MAX_FILE_BYTES + 2 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const NO_KEY =
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), " +
  "or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. " +
  'You can obtain an API key from https://platform.openai.com/account/api-keys.';

const MODELS = ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'whisper-1', 'gpt-4o-transcribe', 'gpt-4o-mini-transcribe', 'omni-moderation-latest'];

/** Reads the whole body, keeping at most `keep` bytes: answering before the upload ends would break the client's connection. */
async function drainBody(req: http.IncomingMessage, keep: number): Promise<{ body: Buffer; total: number }> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total <= keep) chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks), total };
}

function summarize(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('data:') && value.length > 200 ? `${value.slice(0, 40)}…(${value.length} chars)` : value;
  if (Array.isArray(value)) return value.map(summarize);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarize(v)]));
  return value;
}

export class OpenAISandbox {
  readonly knobs: OpenAIKnobs = { ...DEFAULT_KNOBS };
  readonly requests: LoggedRequest[] = [];
  port = 0;
  private server?: http.Server;
  private readonly seed: number;
  private readonly rand: () => number;

  constructor(private readonly opts: OpenAISandboxOptions = {}) {
    this.seed = opts.seed ?? 1;
    this.rand = prng(this.seed);
  }

  /** What the SDK's `baseURL` should be. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.port = await listen(this.server, this.opts.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  setKnobs(patch: Partial<OpenAIKnobs>): OpenAIKnobs {
    for (const [k, v] of Object.entries(patch)) {
      const valid = typeof DEFAULT_KNOBS[k as keyof OpenAIKnobs] === 'boolean' ? typeof v === 'boolean' : typeof v === 'number' && Number.isFinite(v) && v >= 0;
      if (!(k in DEFAULT_KNOBS) || !valid) throw badRequest(`Invalid knob '${k}'.`, k);
    }
    return Object.assign(this.knobs, patch);
  }

  resetKnobs(): void {
    Object.assign(this.knobs, DEFAULT_KNOBS);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname.startsWith('/sandbox/')) return this.routeSandbox(req, res, url).catch((err: unknown) => this.fail(res, err));

    const entry: LoggedRequest = {
      id: `req_${stableId(this.seed, this.requests.length, Date.now())}`,
      at: Date.now(),
      method: req.method ?? 'GET',
      path: url.pathname,
      status: 0,
      retryCount: Number(req.headers['x-stainless-retry-count'] ?? 0),
      responseHeaders: {},
    };
    this.requests.push(entry);
    const started = Date.now();
    const reply = (status: number, body: unknown, contentType = 'application/json', headers: Record<string, string> = {}) => {
      entry.status = status;
      entry.responseHeaders = {
        'x-request-id': entry.id,
        'openai-version': '2020-10-01',
        'openai-organization': 'org-sandbox',
        'openai-processing-ms': String(Date.now() - started),
        ...headers,
      };
      if (contentType === 'application/json') return sendJson(res, status, body, entry.responseHeaders);
      res.writeHead(status, { 'content-type': contentType, ...entry.responseHeaders }).end(body as string);
    };
    try {
      const { body, total } = await drainBody(req, MAX_BODY_BYTES);
      const auth = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (!auth) throw unauthorized(NO_KEY);
      if (this.opts.apiKey && auth[1] !== this.opts.apiKey) {
        const k = auth[1]!;
        throw unauthorized(`Incorrect API key provided: ${k.slice(0, 3)}***${k.slice(-4)}. You can find your API key at https://platform.openai.com/account/api-keys.`, 'invalid_api_key');
      }
      if (total > MAX_BODY_BYTES) throw tooLarge(total);
      const type = req.headers['content-type'] ?? '';
      let json: Record<string, unknown> = {};
      if (type.startsWith('application/json') && body.length) {
        try {
          json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        } catch {
          throw badRequest(
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
          );
        }
        entry.body = summarize(json);
        if (typeof json.model === 'string') entry.model = json.model;
        const rf = json.response_format as { json_schema?: { name?: unknown } } | undefined;
        if (typeof rf?.json_schema?.name === 'string') entry.purpose = rf.json_schema.name;
      }
      this.injectFailures(entry.model ?? 'gpt-4o-mini');
      if (this.knobs.latencyMs) await sleep(this.knobs.latencyMs);

      const route = `${entry.method} ${url.pathname.replace(/\/+$/, '')}`;
      if (route === 'GET /v1/models') {
        return reply(200, { object: 'list', data: MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })) });
      }
      const model = /^GET \/v1\/models\/(.+)$/.exec(route)?.[1];
      if (model) {
        if (!MODELS.includes(model) && !CHAT_MODEL.test(model)) throw new ApiError(404, `The model '${model}' does not exist`, 'invalid_request_error', 'model', 'model_not_found');
        return reply(200, { id: model, object: 'model', created: 1_700_000_000, owned_by: 'system' });
      }
      if (route === 'POST /v1/chat/completions') {
        return reply(200, await createChatCompletion(json, { seed: this.seed, takeRefusal: () => this.take('refuseNext') }));
      }
      if (route === 'POST /v1/moderations') return reply(200, await createModeration(json));
      if (route === 'POST /v1/audio/transcriptions') {
        if (!type.startsWith('multipart/form-data')) throw badRequest("Invalid Content-Type header (expected multipart/form-data).");
        const parts = parseMultipart(body, type);
        // repeated fields (`known_speaker_names[]`) as lists, data URLs shortened as in JSON bodies
        const fields: Record<string, unknown> = {};
        for (const p of parts) {
          const value = p.filename === undefined ? summarize(p.data.toString('utf8')) : { filename: p.filename, size: p.data.length, contentType: p.contentType };
          fields[p.name] = p.name.endsWith('[]') ? [...((fields[p.name] as unknown[] | undefined) ?? []), value] : value;
        }
        entry.body = fields;
        entry.model = parts.find((p) => p.name === 'model')?.data.toString('utf8');
        const result = await createTranscription(parts, total, { withoutDecoding: this.knobs.transcribeWithoutDecoding });
        if (this.knobs.latencyPerAudioSecondMs) await sleep(this.knobs.latencyPerAudioSecondMs * result.duration);
        return reply(200, result.contentType === 'application/json' ? JSON.parse(result.body) : result.body, result.contentType);
      }
      throw new ApiError(404, `Invalid URL (${entry.method} ${url.pathname})`);
    } catch (err) {
      const e = err instanceof ApiError ? err : serverError();
      entry.error = err instanceof ApiError ? err.message : `sandbox bug: ${(err as Error).message}`;
      if (!(err instanceof ApiError)) console.error('[openai-sandbox]', err);
      return reply(e.status, e.body(), 'application/json', e.headers);
    }
  }

  private take(knob: 'fail429Next' | 'fail5xxNext' | 'refuseNext'): boolean {
    if (this.knobs[knob] <= 0) return false;
    this.knobs[knob] -= 1;
    return true;
  }

  private injectFailures(model: string): void {
    if (this.take('fail429Next')) throw rateLimited(model, this.knobs.retryAfterSeconds);
    if (this.take('fail5xxNext')) throw serverError();
    if (this.knobs.rate429 && this.rand() < this.knobs.rate429) throw rateLimited(model, this.knobs.retryAfterSeconds);
    if (this.knobs.rate5xx && this.rand() < this.knobs.rate5xx) throw serverError();
  }

  private async routeSandbox(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (url.pathname === '/sandbox/knobs' && req.method === 'GET') return sendJson(res, 200, this.knobs);
    if (url.pathname === '/sandbox/knobs' && req.method === 'POST') return sendJson(res, 200, this.setKnobs(await readJson(req)));
    if (url.pathname === '/sandbox/knobs' && req.method === 'DELETE') {
      this.resetKnobs();
      return sendJson(res, 200, this.knobs);
    }
    if (url.pathname === '/sandbox/requests' && req.method === 'GET') {
      const path = url.searchParams.get('path');
      return sendJson(res, 200, this.requests.filter((r) => !path || r.path === path));
    }
    if (url.pathname === '/sandbox/requests' && req.method === 'DELETE') {
      this.clearRequests();
      return sendJson(res, 200, { ok: true });
    }
    throw new ApiError(404, `Invalid URL (${req.method} ${url.pathname})`);
  }

  private fail(res: http.ServerResponse, err: unknown): void {
    const e = err instanceof ApiError ? err : badRequest((err as Error).message);
    sendJson(res, e.status, e.body(), e.headers);
  }
}
