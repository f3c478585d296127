import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { listen, readBody, readJson, sendJson } from '../http-util';
import { FileStore } from './files';
import { describeFailure, JobBoard, requestError, type Job, type JobRolls } from './jobs';
import { DEFAULT_KNOBS, mergeKnobs, parseMarkers, Prng, type FalKnobs } from './knobs';
import { appRootOf, MODELS } from './models';
import { WebhookDispatcher, WebhookSigner, type DeliveryRecord } from './webhooks';

/**
 * A local stand-in for FAL (https://fal.ai) speaking its HTTP protocol to the
 * real `@fal-ai/client`: queue API (submit / status / result / cancel, 401
 * without a key, 404 for unknown ids), `fal.run`, storage uploads, signed
 * webhooks and the JWKS, for fal-ai/flux-lora, fal-ai/imagen4/preview (+ /fast,
 * /ultra) and the two LoRA trainers. Reached through the proxy header
 * `x-fal-target-url` (FAL_PROXY_URL, see lib/fal.ts) or directly.
 *
 * Routes, knobs (`knobs`, `GET|POST /sandbox/knobs`) and the prompt markers
 * `[nsfw:1,3]`, `[fail]`, `[slow]` are documented in ./README.md; each knob
 * also has a comment in ./knobs.ts.
 */
export interface FalSandboxOptions {
  port?: number;
  seed?: number;
  /** Accepted API keys (default: any non-empty `Key …`). */
  keys?: string[];
  /** Sent as X-Fal-Webhook-User-Id. */
  userId?: string;
  knobs?: Partial<FalKnobs>;
}

type Reply = (status: number, body: unknown, requestId?: string, headers?: Record<string, string>) => void;

const REST_HOSTS = new Set(['rest.fal.ai', 'rest.alpha.fal.ai']);

export class FalSandbox {
  readonly knobs: FalKnobs;
  readonly signer = new WebhookSigner();
  readonly files: FileStore;
  readonly jobs: JobBoard;
  private readonly webhooks: WebhookDispatcher;
  private readonly rng: Prng;
  private readonly userId: string;
  private server?: http.Server;
  port = 0;

  constructor(private readonly opts: FalSandboxOptions = {}) {
    this.knobs = { ...DEFAULT_KNOBS };
    const problems = mergeKnobs(this.knobs, opts.knobs ?? {});
    if (problems.length) throw new TypeError(`FalSandbox knobs: ${problems.join('; ')}`);
    this.rng = new Prng(opts.seed ?? 1);
    this.userId = opts.userId ?? 'sandbox-user';
    this.files = new FileStore(() => this.url, () => this.knobs.fileTtlMs);
    this.webhooks = new WebhookDispatcher(this.signer, this.knobs, this.userId);
    this.jobs = new JobBoard({
      run: (job, signal) => {
        const markers = parseMarkers(JSON.stringify(job.input));
        if (markers.fail || job.rolls.fail < this.knobs.jobFailureRate) {
          return Promise.resolve(requestError(500, 'The runner failed while processing the request', 'runner_server_error'));
        }
        return MODELS.get(job.endpointId)!.run({ job, signal, files: this.files, knobs: this.knobs, markers });
      },
      completed: (job) => this.sendWebhook(job),
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get jwksUrl(): string {
    return `${this.url}/.well-known/jwks.json`;
  }

  /** Every webhook delivery (and dropped one) so far. */
  get deliveries(): readonly DeliveryRecord[] {
    return this.webhooks.deliveries;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.route(req, res));
    this.port = await listen(this.server, this.opts.port ?? 0);
    return this;
  }

  async stop(): Promise<void> {
    this.jobs.stop();
    this.webhooks.stop();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Signs `body` as this sandbox signs webhooks (tests replay or forge deliveries with it). */
  signWebhook(body: Buffer | string, opts: { requestId: string; timestamp?: number }): Record<string, string> {
    return this.signer.sign(body, { ...opts, userId: this.userId });
  }

  private roll(): JobRolls {
    return { fail: this.rng.next(), lost: this.rng.next(), duplicated: this.rng.next(), nsfw: [0, 1, 2, 3].map(() => this.rng.next()), seed: this.rng.int(2 ** 31) };
  }

  private sendWebhook(job: Job): void {
    const outcome = job.outcome;
    if (!job.webhookUrl || !outcome) return;
    const ids = { request_id: job.requestId, gateway_request_id: job.requestId };
    const body = outcome.ok
      ? { ...ids, status: 'OK', payload: outcome.payload }
      : { ...ids, status: 'ERROR', error: `Invalid status code: ${outcome.httpStatus}`, payload: outcome.body };
    this.webhooks.deliver(job.webhookUrl, body, job.rolls.lost < this.knobs.webhookLossRate, job.rolls.duplicated < this.knobs.webhookDuplicateRate);
  }

  // ---- HTTP ------------------------------------------------------------------------------------

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const reply: Reply = (status, body, requestId = randomUUID(), headers = {}) =>
      sendJson(res, status, body, { 'x-fal-request-id': requestId, ...headers });
    try {
      const proxied = req.headers['x-fal-target-url'];
      if (typeof proxied === 'string') {
        let target: URL;
        try {
          target = new URL(proxied);
        } catch {
          return reply(400, { detail: 'x-fal-target-url is not a URL' });
        }
        if (target.hostname === 'queue.fal.run') return await this.queueApi(req, target, 'https://queue.fal.run', reply);
        if (target.hostname === 'fal.run') return await this.syncRun(req, target, reply);
        if (REST_HOSTS.has(target.hostname)) return await this.restApi(req, target, reply);
        return reply(412, { detail: `x-fal-target-url must point at a fal host, not ${target.hostname}` });
      }
      const own = new URL(req.url ?? '/', this.url);
      const path = own.pathname;
      if (path.startsWith('/sandbox/')) return await this.control(req, path, reply);
      if (path.startsWith('/files/') || path.startsWith('/uploads/')) return await this.fileRoute(req, res, path, reply);
      if (path === '/.well-known/jwks.json' || path.startsWith('/storage/')) return await this.restApi(req, own, reply);
      return await this.queueApi(req, own, this.url, reply);
    } catch (err) {
      const status = (err as { status?: number }).status ?? 500;
      if (!res.headersSent) reply(status, { detail: (err as Error).message, error_type: status === 500 ? 'internal_error' : 'bad_request' });
    }
  }

  private authorized(req: http.IncomingMessage): boolean {
    const m = /^Key\s+(\S+)$/.exec((req.headers.authorization ?? '').trim());
    return !!m && (!this.opts.keys || this.opts.keys.includes(m[1]!));
  }

  private injected5xx(): boolean {
    if (this.knobs.fail5xxNext > 0) {
      this.knobs.fail5xxNext -= 1;
      return true;
    }
    return this.knobs.http5xxRate > 0 && this.rng.next() < this.knobs.http5xxRate;
  }

  private queueUrls(job: Job, base: string) {
    const root = `${base}/${job.appRoot}/requests/${job.requestId}`;
    return { response_url: root, status_url: `${root}/status`, cancel_url: `${root}/cancel` };
  }

  private async queueApi(req: http.IncomingMessage, target: URL, base: string, reply: Reply): Promise<void> {
    if (!req.headers.authorization) return reply(401, { detail: 'Missing authorization header' });
    if (!this.authorized(req)) return reply(401, { detail: 'Invalid authorization key' });
    if (this.injected5xx()) return reply(this.knobs.http5xxStatus, { detail: 'Service temporarily unavailable', error_type: 'internal_error' });

    const path = target.pathname.replace(/\/+$/, '');
    const op = /^\/([^/]+\/[^/]+)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path);
    if (op) {
      const [, appRoot, requestId, action = ''] = op;
      const job = this.jobs.get(requestId!);
      if (!job || job.appRoot !== appRoot) return reply(404, { detail: `Request ${requestId} not found` }, requestId);
      const expected = action === '/cancel' ? 'PUT' : 'GET';
      if (req.method !== expected) return reply(405, { detail: 'Method Not Allowed' }, job.requestId);
      if (action === '/cancel') {
        const result = this.jobs.cancel(job);
        return reply(result === 'ALREADY_COMPLETED' ? 400 : 202, { status: result }, job.requestId);
      }
      if (action === '/status') {
        job.statusChecks = (job.statusChecks ?? 0) + 1;
        return reply(job.state === 'COMPLETED' ? 200 : 202, this.statusBody(job, base, target.searchParams.get('logs') === '1'), job.requestId);
      }
      if (job.state !== 'COMPLETED' || !job.outcome) return reply(400, { detail: 'Request is still in progress' }, job.requestId);
      return this.replyOutcome(job, reply);
    }

    const endpointId = path.slice(1);
    const spec = MODELS.get(endpointId);
    if (!spec) return reply(404, { detail: `Application '${endpointId}' not found` });
    if (req.method !== 'POST') return reply(405, { detail: 'Method Not Allowed' });
    const input = await readJson(req).catch(() => null);
    if (!input || typeof input !== 'object' || Array.isArray(input)) return reply(422, { detail: 'The request body must be a JSON object' });
    const webhookUrl = target.searchParams.get('fal_webhook') ?? undefined;
    if (webhookUrl && !/^https?:\/\//.test(webhookUrl)) return reply(422, { detail: 'fal_webhook must be an http(s) URL' });

    const markers = parseMarkers(JSON.stringify(input));
    const runMs = (spec.kind === 'training' ? this.knobs.trainingJobMs : this.knobs.imageJobMs) * (markers.slow ? 2 : 1);
    const job = this.jobs.submit({
      endpointId,
      appRoot: appRootOf(endpointId),
      input,
      webhookUrl,
      rolls: this.roll(),
      queueMs: this.knobs.queueMs,
      runMs,
      progress: spec.progress(input),
    });
    const ids = { request_id: job.requestId, gateway_request_id: job.requestId };
    return reply(200, { status: 'IN_QUEUE', ...ids, ...this.queueUrls(job, base), queue_position: this.jobs.queuePosition(job) }, job.requestId);
  }

  private statusBody(job: Job, base: string, withLogs: boolean): Record<string, unknown> {
    const common = { status: job.state, request_id: job.requestId, ...this.queueUrls(job, base) };
    if (job.state === 'IN_QUEUE') return { ...common, queue_position: this.jobs.queuePosition(job) };
    const logs = withLogs ? this.jobs.logs(job) : null;
    if (job.state === 'IN_PROGRESS') return { ...common, logs };
    const outcome = job.outcome!;
    const metrics = { inference_time: job.startedAt === undefined ? 0 : ((job.completedAt ?? job.startedAt) - job.startedAt) / 1000 };
    if (outcome.ok) return { ...common, logs, metrics };
    const errorType = typeof outcome.body.error_type === 'string' ? outcome.body.error_type : 'validation_error';
    return { ...common, logs, metrics, error: describeFailure(outcome), error_type: errorType };
  }

  private replyOutcome(job: Job, reply: Reply): void {
    const outcome = job.outcome!;
    if (outcome.ok) return reply(200, outcome.payload, job.requestId);
    const errorType = outcome.body.error_type;
    return reply(outcome.httpStatus, outcome.body, job.requestId, typeof errorType === 'string' ? { 'x-fal-error-type': errorType } : {});
  }

  /** `fal.run(...)`: the same models, answered when done (no queue API, no webhook). */
  private async syncRun(req: http.IncomingMessage, target: URL, reply: Reply): Promise<void> {
    if (!this.authorized(req)) return reply(401, { detail: 'Invalid or missing authorization key' });
    const endpointId = target.pathname.replace(/^\/+|\/+$/g, '');
    const spec = MODELS.get(endpointId);
    if (!spec) return reply(404, { detail: `Application '${endpointId}' not found` });
    const input = await readJson(req).catch(() => null);
    if (!input || typeof input !== 'object' || Array.isArray(input)) return reply(422, { detail: 'The request body must be a JSON object' });
    const runMs = spec.kind === 'training' ? this.knobs.trainingJobMs : this.knobs.imageJobMs;
    const job = this.jobs.submit({ endpointId, appRoot: appRootOf(endpointId), input, rolls: this.roll(), queueMs: 0, runMs, progress: spec.progress(input) });
    await job.done;
    if (!job.outcome) return reply(503, { detail: 'The sandbox is shutting down', error_type: 'internal_error' }, job.requestId);
    return this.replyOutcome(job, reply);
  }

  private async restApi(req: http.IncomingMessage, target: URL, reply: Reply): Promise<void> {
    if (target.pathname === '/.well-known/jwks.json' && req.method === 'GET') return reply(200, this.signer.jwks());
    if (target.pathname === '/storage/upload/initiate' && req.method === 'POST') {
      if (!this.authorized(req)) return reply(401, { detail: 'Invalid or missing authorization key' });
      const body = await readJson<{ content_type?: string; file_name?: string }>(req).catch(() => null);
      const contentType = body?.content_type || 'application/octet-stream';
      const fileName = (body?.file_name || 'upload.bin').replace(/[/\\]/g, '_');
      const slot = this.files.reserve(fileName, contentType);
      return reply(200, { upload_url: slot.uploadUrl, file_url: slot.fileUrl });
    }
    return reply(404, { detail: `Not found: ${req.method} ${target.pathname} (multipart uploads are not supported)` });
  }

  private async fileRoute(req: http.IncomingMessage, res: http.ServerResponse, path: string, reply: Reply): Promise<void> {
    const upload = /^\/uploads\/([\w-]+)$/.exec(path);
    if (upload && req.method === 'PUT') {
      const data = await readBody(req, 512 * 1024 * 1024);
      const ok = this.files.fill(upload[1]!, data, req.headers['content-type']);
      return ok ? reply(200, {}) : reply(404, { detail: 'Unknown upload URL' });
    }
    const file = /^\/files\/([\w-]+)\/[^/]+$/.exec(path);
    if (file && (req.method === 'GET' || req.method === 'HEAD')) {
      const stored = this.files.get(file[1]!);
      if (!stored) return reply(404, { detail: 'File not found' });
      res.writeHead(200, { 'content-type': stored.contentType, 'content-length': String(stored.data.length) });
      res.end(req.method === 'HEAD' ? undefined : stored.data);
      return;
    }
    return reply(404, { detail: 'Not found' });
  }

  private async control(req: http.IncomingMessage, path: string, reply: Reply): Promise<void> {
    if (path === '/sandbox/knobs' && req.method === 'GET') return reply(200, this.knobs);
    if (path === '/sandbox/knobs' && req.method === 'POST') {
      const patch = await readJson(req).catch(() => null);
      const problems = mergeKnobs(this.knobs, patch);
      return problems.length ? reply(400, { detail: problems, knobs: this.knobs }) : reply(200, this.knobs);
    }
    if (path === '/sandbox/requests' && req.method === 'GET') {
      return reply(
        200,
        this.jobs.all().map((j) => ({ request_id: j.requestId, endpoint: j.endpointId, state: j.state, webhook_url: j.webhookUrl, ok: j.outcome?.ok, cancelled: j.cancelled })),
      );
    }
    if (path === '/sandbox/webhooks' && req.method === 'GET') return reply(200, this.deliveries);
    return reply(404, { detail: 'Not found' });
  }
}
