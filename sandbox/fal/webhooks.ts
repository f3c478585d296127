import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FalKnobs } from './knobs';

/**
 * Webhooks as FAL sends them: a JSON body POSTed to the `fal_webhook` URL,
 * signed with ED25519 over `${request_id}\n${user_id}\n${timestamp}\n${hex(sha256(body))}`
 * (headers X-Fal-Webhook-Request-Id, -User-Id, -Timestamp, -Signature), the
 * public key published as a JWKS. A failed delivery (network error or non-2xx)
 * is retried with doubling backoff, each attempt freshly signed.
 */
export class WebhookSigner {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.publicJwk = { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) };
    this.kid = randomBytes(8).toString('hex');
  }

  jwks(): { keys: { kty: 'OKP'; crv: 'Ed25519'; x: string; kid: string; use: 'sig'; alg: 'EdDSA' }[] } {
    return { keys: [{ ...this.publicJwk, kid: this.kid, use: 'sig', alg: 'EdDSA' }] };
  }

  /** The four X-Fal-Webhook-* headers for `body`. `timestamp` is unix seconds (default: now). */
  sign(body: Buffer | string, opts: { requestId: string; userId: string; timestamp?: number }): Record<string, string> {
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    const digest = createHash('sha256').update(body).digest('hex');
    const message = Buffer.from(`${opts.requestId}\n${opts.userId}\n${timestamp}\n${digest}`, 'utf8');
    return {
      'x-fal-webhook-request-id': opts.requestId,
      'x-fal-webhook-user-id': opts.userId,
      'x-fal-webhook-timestamp': timestamp,
      'x-fal-webhook-signature': sign(null, message, this.privateKey).toString('hex'),
    };
  }
}

export interface DeliveryRecord {
  requestId: string;
  url: string;
  /** 0 for the delivery, 1.. for the extra copies of `webhookDuplicates`. */
  copy: number;
  state: 'pending' | 'delivered' | 'failed' | 'dropped';
  attempts: number;
  /** HTTP status of the last attempt (undefined after a network error). */
  lastStatus?: number;
}

export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  private readonly closing = new AbortController();

  constructor(
    private readonly signer: WebhookSigner,
    private readonly knobs: FalKnobs,
    private readonly userId: string,
  ) {}

  /** Sends `body` to `url` (unless `lost`), plus `webhookDuplicates` copies (one more when `duplicated`); returns at once. */
  deliver(url: string, body: Record<string, unknown>, lost: boolean, duplicated = false): void {
    const requestId = String(body.request_id);
    if (lost) {
      this.deliveries.push({ requestId, url, copy: 0, state: 'dropped', attempts: 0 });
      return;
    }
    const raw = Buffer.from(JSON.stringify(body), 'utf8');
    const copies = Math.floor(this.knobs.webhookDuplicates) + (duplicated ? 1 : 0);
    for (let copy = 0; copy <= copies; copy++) {
      const record: DeliveryRecord = { requestId, url, copy, state: 'pending', attempts: 0 };
      this.deliveries.push(record);
      void this.send(record, raw).catch(() => {
        record.state = 'failed';
      });
    }
  }

  stop(): void {
    this.closing.abort();
  }

  private async send(record: DeliveryRecord, raw: Buffer): Promise<void> {
    const signal = this.closing.signal;
    if (this.knobs.webhookDelayMs > 0) await sleep(this.knobs.webhookDelayMs, undefined, { signal });
    const retries = Math.floor(this.knobs.webhookRetries);
    for (let attempt = 0; attempt <= retries && !signal.aborted; attempt++) {
      if (attempt > 0) await sleep(this.knobs.webhookRetryBaseMs * 2 ** (attempt - 1), undefined, { signal });
      record.attempts++;
      const timestamp = Math.floor(Date.now() / 1000) + Math.trunc(this.knobs.webhookClockSkewSeconds);
      const headers = this.signer.sign(raw, { requestId: record.requestId, userId: this.userId, timestamp });
      try {
        const res = await fetch(record.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'fal-sandbox-webhook/1.0', ...headers },
          body: raw,
          signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]),
        });
        record.lastStatus = res.status;
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) {
          record.state = 'delivered';
          return;
        }
      } catch {
        record.lastStatus = undefined;
      }
    }
    record.state = 'failed';
  }
}
