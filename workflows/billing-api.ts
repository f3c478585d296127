import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { JobKind } from '../vocabulary/search-attributes';

/** What a paid job hands its billing workflow (`bill-<jobWorkflowId>`). */
export interface BillingInput {
  userId: number;
  telegramId: number;
  jobWorkflowId: string;
  jobKind: JobKind;
  unitPrice: number;
  units: number;
  /** An unsettled job is refunded in full after this many seconds (the parent died, hung or was terminated). */
  deadlineSeconds: number;
  /** Shown in the user's history, e.g. "Imagen 4 × 4". */
  reason: string;
}

export type BillingStage = 'charging' | 'charged' | 'insufficient' | 'settled' | 'refunded';

export interface BillingStatus {
  stage: BillingStage;
  charged: number;
  refunded: number;
  deliveredUnits: number | null;
  /** Why the job was refunded: "settled" (the job reported), "deadline", "cancelled". */
  refundReason?: 'settled' | 'deadline' | 'cancelled';
}

/** Billing → parent: the outcome of the charge. */
export type ChargeResult =
  | { ok: true; charged: number; balance: number }
  | { ok: false; reason: 'insufficient'; balance: number; required: number };

export const chargeResultSignal = defineSignal<[ChargeResult]>('billingChargeResult');
/**
 * Parent → billing: how many units were delivered. The first settle wins; repeats change nothing.
 * `abandoned`: sent by an operator for a job whose workflow ended without settling; its row is
 * closed and its user told, as at the deadline.
 */
export const settleSignal = defineSignal<[{ deliveredUnits: number; abandoned?: boolean }]>('settle');
export const billingStatusQuery = defineQuery<BillingStatus>('status');
