/**
 * Task queues. One Worker per queue, so limits live where the upstream is.
 * The main queue name is configurable (TEMPORAL_TASK_QUEUE, default "aisha");
 * the others derive from it: "aisha-fal", "aisha-openai", "aisha-telegram",
 * "aisha-media". Workflows derive them from their own queue, so a test that
 * runs on "aisha-t123" gets its own private set.
 */
export const QUEUE_KINDS = ['main', 'fal', 'openai', 'telegram', 'media'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export function taskQueueName(base: string, kind: QueueKind): string {
  return kind === 'main' ? base : `${base}-${kind}`;
}

export function allTaskQueues(base: string): Record<QueueKind, string> {
  return Object.fromEntries(QUEUE_KINDS.map((k) => [k, taskQueueName(base, k)])) as Record<QueueKind, string>;
}
