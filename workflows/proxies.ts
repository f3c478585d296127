import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { BillingActivities } from '../activities/billing';
import type { LedgerActivities } from '../activities/ledger';
import type { PaymentActivities } from '../activities/payments';
import type { TelegramActivities } from '../activities/telegram';
import type { UserActivities } from '../activities/users';
import { taskQueueName } from './task-queues';

/**
 * Activity proxies, one per timeout/retry profile and task queue. Call inside
 * a workflow: queues derive from the workflow's own (see task-queues.ts).
 */
export function dbActivities() {
  return proxyActivities<UserActivities & LedgerActivities & BillingActivities & PaymentActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
  });
}

/** Telegram sends: ≈ 25/s per queue; 429 retried after `retry_after`; give up on one message after 10 minutes. */
export function telegramActivities() {
  return proxyActivities<TelegramActivities>({
    taskQueue: taskQueueName(workflowInfo().taskQueue, 'telegram'),
    startToCloseTimeout: '30 seconds',
    scheduleToCloseTimeout: '10 minutes',
  });
}
