/**
 * Workflow IDs carry meaning and make starts idempotent: starting with
 * workflowIdConflictPolicy USE_EXISTING returns the running job instead of a
 * second one.
 */
export const workflowIds = {
  /** One per `/start` update: a redelivered update maps to the same id. */
  onboarding: (telegramId: number, updateId: number) => `onboarding-${telegramId}-u${updateId}`,
  avatar: (avatarId: string) => `avatar-${avatarId}`,
  avatarDelete: (avatarId: string) => `avatar-delete-${avatarId}`,
  generation: (generationId: string) => `gen-${generationId}`,
  transcription: (transcriptId: string) => `tr-${transcriptId}`,
  /** One attempt at a transcript's summary: a fresh id per press (a redelivered press maps to the same one). */
  summary: (summaryId: string) => `sum-${summaryId}`,
  billing: (jobWorkflowId: string) => `bill-${jobWorkflowId}`,
  topup: (telegramPaymentChargeId: string) => `topup-${telegramPaymentChargeId}`,
  adminGrant: (adminTelegramId: number, updateId: number) => `admin-grant-${adminTelegramId}-u${updateId}`,
  refundPayment: (telegramPaymentChargeId: string) => `refund-payment-${telegramPaymentChargeId}`,
  /** `/admin refund` of a job whose workflows have ended: one per job (a repeat finds nothing left). */
  adminRefund: (jobWorkflowId: string) => `admin-refund-${jobWorkflowId}`,
} as const;
