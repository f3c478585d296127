import { defineSignal } from '@temporalio/workflow';

/**
 * A FAL webhook, verified by the bot's HTTP server (Ed25519 over JWKS,
 * ±300 s) and forwarded to the workflow named in its path. Duplicates and
 * results for another request are ignored by the workflow.
 */
export interface FalResult {
  requestId: string;
  status: 'OK' | 'ERROR';
  /** The model output (OK) or error detail (ERROR), as FAL sent it. */
  payload: unknown;
  error?: string;
}

export const falResultSignal = defineSignal<[FalResult]>('falResult');

/**
 * Operator → a job waiting on FAL (`/admin retry`): check FAL's status now
 * instead of at the next poll tick. Ignored when the job is not waiting.
 */
export const pollNowSignal = defineSignal('pollNow');

/** The webhook URL for a workflow: `${PUBLIC_BASE_URL}/webhooks/fal/<workflowId>`. */
export const falWebhookUrl = (publicBaseUrl: string, workflowId: string) => `${publicBaseUrl}/webhooks/fal/${encodeURIComponent(workflowId)}`;
