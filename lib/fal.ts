import { createFalClient, type FalClient } from '@fal-ai/client';
import type { Config } from './config';

export type { FalClient };
export { ApiError as FalApiError, ValidationError as FalValidationError } from '@fal-ai/client';

type FalClientConfig = NonNullable<Parameters<typeof createFalClient>[0]>;

/**
 * The FAL client used by activities. Credentials come from configuration only
 * (never the client's own `FAL_KEY` lookup). With `FAL_PROXY_URL` set, every
 * call — queue, sync run, storage initiate — is sent to that URL with the real
 * target in `x-fal-target-url` (the sandbox, or a real proxy in front of FAL).
 * `when: 'always'` is required: the client's default applies the proxy only in
 * browsers. Note that `storage.upload` PUTs the bytes straight to the returned
 * `upload_url`, and result files are fetched from their own URLs.
 */
export function createFal(cfg: Config['fal'], overrides: Pick<FalClientConfig, 'fetch' | 'retry'> = {}): FalClient {
  return createFalClient({
    // A function, so the client never falls back to reading process.env itself.
    credentials: () => cfg.key,
    ...(cfg.proxyUrl ? { proxyUrl: { url: cfg.proxyUrl, when: 'always' as const } } : {}),
    ...overrides,
  });
}
