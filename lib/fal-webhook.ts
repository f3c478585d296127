import { createHash, createPublicKey, verify as verifySignature, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * Verifies FAL webhook deliveries (https://docs.fal.ai/model-apis/model-endpoints/webhooks):
 * ED25519 over `${request_id}\n${user_id}\n${timestamp}\n${hex(sha256(raw body))}`,
 * signature hex in `X-Fal-Webhook-Signature`, keys from FAL's JWKS, timestamp
 * within ±`maxSkewSeconds`. Never throws: every problem is `{ok: false, reason}`.
 *
 * The JWKS is cached for a day. A signature no cached key accepts triggers one
 * refetch (at most once a minute), so a key rotation is picked up quickly
 * while a flood of forged requests cannot turn into a flood of JWKS fetches.
 */
export type FalWebhookVerdict = { ok: true; requestId: string } | { ok: false; reason: string; code: FalWebhookRejection };

/** Why a delivery was refused, as a stable label (metrics): the `reason` text says more. */
export type FalWebhookRejection = 'missing_headers' | 'malformed' | 'stale' | 'bad_signature' | 'jwks_unavailable' | 'error';

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

export interface FalWebhookVerifierOptions {
  jwksUrl: string;
  fetchImpl?: typeof fetch;
  /** Milliseconds since the epoch (tests move the clock). */
  now?: () => number;
  maxSkewSeconds?: number;
  /** How long a fetched JWKS is trusted (default 24 h). */
  cacheTtlMs?: number;
  /** Minimum gap between refetches caused by unknown signatures (default 60 s). */
  refetchIntervalMs?: number;
}

export interface FalWebhookVerifier {
  verify(input: { headers: HeaderBag; rawBody: Buffer | Uint8Array | string }): Promise<FalWebhookVerdict>;
}

const FAILED_FETCH_BACKOFF_MS = 5_000;

const HEADER = {
  requestId: 'x-fal-webhook-request-id',
  userId: 'x-fal-webhook-user-id',
  timestamp: 'x-fal-webhook-timestamp',
  signature: 'x-fal-webhook-signature',
} as const;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function' && typeof (headers as Headers).has === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (key.toLowerCase() !== name) continue;
    const v = Array.isArray(value) ? value[0] : value;
    return typeof v === 'string' ? v : undefined;
  }
  return undefined;
}

function importKeys(body: unknown): KeyObject[] {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return [];
  const out: KeyObject[] = [];
  for (const jwk of keys as JsonWebKey[]) {
    if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') continue;
    try {
      out.push(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
    } catch {
      // a malformed key in the set is skipped; the others still count
    }
  }
  return out;
}

export function createFalWebhookVerifier(options: FalWebhookVerifierOptions): FalWebhookVerifier {
  const fetchImpl = options.fetchImpl ?? fetch;
  const now = options.now ?? Date.now;
  const maxSkew = options.maxSkewSeconds ?? 300;
  const ttl = options.cacheTtlMs ?? 24 * 60 * 60 * 1000;
  const refetchInterval = options.refetchIntervalMs ?? 60 * 1000;

  let cached: { keys: KeyObject[]; fetchedAt: number } | undefined;
  let lastAttemptAt = -Infinity;
  let inflight: Promise<KeyObject[] | undefined> | undefined;

  /** Fetches the JWKS (one request at a time); undefined when it could not be fetched. */
  function refresh(): Promise<KeyObject[] | undefined> {
    inflight ??= (async () => {
      lastAttemptAt = now();
      try {
        const res = await fetchImpl(options.jwksUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
        if (!res.ok) return undefined;
        const keys = importKeys(await res.json());
        if (keys.length === 0) return undefined;
        cached = { keys, fetchedAt: now() };
        return keys;
      } catch {
        return undefined;
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  }

  async function currentKeys(): Promise<KeyObject[] | undefined> {
    if (cached && now() - cached.fetchedAt < ttl) return cached.keys;
    if (inflight) return (await inflight) ?? cached?.keys;
    // After a failed fetch, wait a little before the next one (FAL redelivers webhooks).
    if (now() - lastAttemptAt < FAILED_FETCH_BACKOFF_MS) return cached?.keys;
    // An expired set is still better than none while FAL's JWKS is unreachable.
    return (await refresh()) ?? cached?.keys;
  }

  const anyKeyAccepts = (keys: KeyObject[], message: Buffer, signature: Buffer) =>
    keys.some((key) => {
      try {
        return verifySignature(null, message, key, signature);
      } catch {
        return false;
      }
    });

  return {
    async verify({ headers, rawBody }) {
      try {
        const requestId = header(headers, HEADER.requestId);
        const userId = header(headers, HEADER.userId);
        const timestamp = header(headers, HEADER.timestamp);
        const signatureHex = header(headers, HEADER.signature);
        if (!requestId || !userId || !timestamp || !signatureHex) return { ok: false, reason: 'missing webhook signature headers', code: 'missing_headers' };
        if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp', code: 'malformed' };
        if (Math.abs(now() / 1000 - Number(timestamp)) > maxSkew) return { ok: false, reason: 'timestamp outside the allowed window', code: 'stale' };
        if (!/^[0-9a-fA-F]{128}$/.test(signatureHex)) return { ok: false, reason: 'malformed signature', code: 'malformed' };

        const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : Buffer.from(rawBody);
        const digest = createHash('sha256').update(body).digest('hex');
        const message = Buffer.from(`${requestId}\n${userId}\n${timestamp}\n${digest}`, 'utf8');
        const signature = Buffer.from(signatureHex, 'hex');

        const keys = await currentKeys();
        if (keys && anyKeyAccepts(keys, message, signature)) return { ok: true, requestId };
        if (now() - lastAttemptAt >= refetchInterval) {
          const fresh = await refresh();
          if (fresh && anyKeyAccepts(fresh, message, signature)) return { ok: true, requestId };
        }
        if (!keys && !cached) return { ok: false, reason: 'JWKS unavailable', code: 'jwks_unavailable' };
        return { ok: false, reason: 'signature does not verify', code: 'bad_signature' };
      } catch (err) {
        return { ok: false, reason: `verification error: ${(err as Error).message}`, code: 'error' };
      }
    },
  };
}
