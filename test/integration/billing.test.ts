import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLedgerEntry, getBalance, ledgerSum } from '../../lib/db/ledger';
import { upsertUser } from '../../lib/db/users';
import type { BillingStatus } from '../../workflows/billing-api';
import { billingStatusQuery } from '../../workflows/billing-api';
import { workflowIds } from '../../vocabulary/ids';
import type { PaidJobInput } from '../workflows/paid-job';
import { uniqueSuffix, uniqueTelegramId } from '../helpers/config';
import { eventually, startStack, testWorkflowsPath, type Stack } from '../helpers/stack';

/** A small deterministic PRNG so a failing run can be reproduced. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

describe('billing: charge-and-refund workflow on real PostgreSQL and Temporal', () => {
  let stack: Stack;
  const failedOnce = new Set<string>();

  beforeAll(async () => {
    stack = await startStack({
      workflowsPath: testWorkflowsPath,
      // The worker "dies" right after the DB commit of the first charge and first refund of every job:
      // Temporal retries the activity, the idempotency key makes the retry harmless.
      wrapActivities: (a) => {
        const once =
          <T extends { jobId: string }, R>(kind: string, fn: (i: T) => Promise<R>) =>
          async (input: T): Promise<R> => {
            const result = await fn(input);
            const key = `${input.jobId}:${kind}`;
            if (!failedOnce.has(key)) {
              failedOnce.add(key);
              throw new Error(`connection lost after committing ${key}`);
            }
            return result;
          };
        return { ...a, main: { ...a.main, chargeJob: once('charge', a.main.chargeJob), refundJob: once('refund', a.main.refundJob) } };
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const newUser = async (credits: number) => {
    const telegramId = uniqueTelegramId();
    stack.telegram.world.user(telegramId); // the user has a chat with the bot
    const user = await upsertUser(stack.prisma, { telegramId });
    if (credits) await applyLedgerEntry(stack.prisma, { userId: user.id, kind: 'GRANT', amount: credits, idempotencyKey: `seed:${user.id}` });
    return { ...user, telegramId };
  };

  const startJob = (input: PaidJobInput, workflowId = `gen-test-${uniqueSuffix()}`) =>
    stack.temporal.workflow.start('paidJobWorkflow', {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [input],
    });

  it('200 concurrent jobs over 10 users: balances equal their ledgers, one charge and at most one refund per job, exact refunds', async () => {
    const random = rng(20261121);
    const users = await Promise.all(Array.from({ length: 10 }, () => newUser(150)));
    const plans = Array.from({ length: 200 }, () => {
      const user = users[Math.floor(random() * users.length)]!;
      const units = 1 + Math.floor(random() * 4);
      const roll = random();
      const outcome: PaidJobInput['outcome'] = roll < 0.55 ? 'settle' : roll < 0.7 ? 'fail' : roll < 0.85 ? 'crash' : 'hang';
      const delivered = outcome === 'settle' ? Math.floor(random() * (units + 1)) : 0;
      return { user, input: { userId: user.id, telegramId: user.telegramId, language: 'ru' as const, units, unitPrice: 5, deadlineSeconds: 6, outcome, delivered, duplicateSettles: Math.floor(random() * 3) } };
    });

    const handles = await Promise.all(plans.map((p) => startJob(p.input)));
    // Operators terminate the hanging jobs once they are charged; their billing workflows must still refund.
    const outcomes = await Promise.all(
      handles.map(async (h, i) => {
        const plan = plans[i]!;
        if (plan.input.outcome === 'hang') {
          const charged = await eventually(async () => {
            const bill = stack.temporal.workflow.getHandle(workflowIds.billing(h.workflowId));
            const st = await bill.query(billingStatusQuery).catch(() => null);
            if (st?.stage === 'insufficient') return 'insufficient';
            return st?.stage === 'charged' ? 'charged' : null;
          }, { timeoutMs: 60_000 });
          if (charged === 'insufficient') return h.result();
          await h.terminate('operator terminated a stuck job');
          return 'terminated';
        }
        return h.result().catch((err: unknown) => {
          if (err instanceof WorkflowFailedError) return 'failed';
          throw err;
        });
      }),
    );
    const bills = await Promise.all(
      handles.map((h, i) =>
        outcomes[i] === 'insufficient'
          ? Promise.resolve(null)
          : stack.temporal.workflow.getHandle(workflowIds.billing(h.workflowId)).result() as Promise<BillingStatus>,
      ),
    );

    let refundedJobs = 0;
    for (const [i, h] of handles.entries()) {
      const { input } = plans[i]!;
      const rows = await stack.prisma.transaction.findMany({ where: { jobId: h.workflowId } });
      const charges = rows.filter((r) => r.kind === 'CHARGE');
      const refunds = rows.filter((r) => r.kind === 'REFUND');
      if (outcomes[i] === 'insufficient') {
        expect(rows).toEqual([]);
        continue;
      }
      const price = input.units * input.unitPrice;
      expect(charges.map((c) => c.amount)).toEqual([-price]);
      expect(refunds.length).toBeLessThanOrEqual(1);
      const expectedRefund = input.outcome === 'settle' ? (input.units - input.delivered) * input.unitPrice : price;
      expect(refunds.reduce((a, r) => a + r.amount, 0)).toBe(expectedRefund);
      expect(bills[i]).toMatchObject({ charged: price, refunded: expectedRefund });
      if (expectedRefund > 0) refundedJobs++;
    }
    for (const u of users) {
      const balance = await getBalance(stack.prisma, u.id);
      expect(balance).toBe(await ledgerSum(stack.prisma, u.id));
      expect(balance).toBeGreaterThanOrEqual(0);
      const negatives = await stack.prisma.transaction.count({ where: { userId: u.id, balanceAfter: { lt: 0 } } });
      expect(negatives).toBe(0);
    }
    // the scenario really exercised every path
    expect(new Set(outcomes)).toEqual(new Set(['done', 'failed', 'terminated', 'insufficient']));
    expect(refundedJobs).toBeGreaterThan(50);
    expect([...failedOnce].filter((k) => k.endsWith(':charge')).length).toBeGreaterThan(100);
  });

  it('insufficient funds: a clear message with a top-up button, and no transaction', async () => {
    const user = await newUser(3);
    const h = await startJob({ userId: user.id, telegramId: user.telegramId, language: 'ru', units: 2, unitPrice: 5, deadlineSeconds: 30, outcome: 'settle', delivered: 2, duplicateSettles: 0 });
    expect(await h.result()).toBe('insufficient');
    const msg = await eventually(() => stack.telegram.world.botMessages(user.telegramId).find((m) => m.text?.includes('Не хватает кредитов')));
    expect(msg.text).toContain('нужно 10, на балансе 3');
    expect(msg.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ text: '⭐ Пополнить баланс', callback_data: 'tu' });
    expect(await stack.prisma.transaction.count({ where: { jobId: h.workflowId } })).toBe(0);
    expect(await getBalance(stack.prisma, user.id)).toBe(3);
  });

  it('a parent terminated mid-way: its billing workflow refunds in full by its deadline', async () => {
    const user = await newUser(50);
    const h = await startJob({ userId: user.id, telegramId: user.telegramId, language: 'en', units: 4, unitPrice: 5, deadlineSeconds: 3, outcome: 'hang', delivered: 0, duplicateSettles: 0 });
    const bill = stack.temporal.workflow.getHandle(workflowIds.billing(h.workflowId));
    await eventually(async () => (await bill.query(billingStatusQuery).catch(() => null))?.stage === 'charged');
    expect(await getBalance(stack.prisma, user.id)).toBe(30);
    await h.terminate('test');
    const status = await bill.result();
    expect(status).toMatchObject({ stage: 'refunded', charged: 20, refunded: 20, refundReason: 'deadline' });
    expect(await getBalance(stack.prisma, user.id)).toBe(50);
  });

  it('cancelling the billing workflow itself refunds too', async () => {
    const user = await newUser(50);
    const h = await startJob({ userId: user.id, telegramId: user.telegramId, language: 'en', units: 2, unitPrice: 5, deadlineSeconds: 600, outcome: 'hang', delivered: 0, duplicateSettles: 0 });
    const bill = stack.temporal.workflow.getHandle(workflowIds.billing(h.workflowId));
    await eventually(async () => (await bill.query(billingStatusQuery).catch(() => null))?.stage === 'charged');
    await bill.cancel();
    expect(await bill.result()).toMatchObject({ stage: 'refunded', refunded: 10, refundReason: 'cancelled' });
    await h.terminate('test cleanup');
    expect(await getBalance(stack.prisma, user.id)).toBe(50);
  });

  it('at the deadline a terminated job has its row closed and its user told, once; a job still running is left alone', async () => {
    const user = await newUser(50);
    const generation = async () =>
      (await stack.prisma.generation.create({ data: { id: randomUUID(), userId: user.id, mode: 'IMAGEN4', prompt: 'a cat', aspectRatio: '1:1', numImages: 2, unitPrice: 5, status: 'RUNNING' } })).id;
    const [ended, late, halfDelivered] = [await generation(), await generation(), await generation()];
    // One of its two images reached the chat before it was stopped.
    await stack.prisma.image.create({
      data: { userId: user.id, generationId: halfDelivered, position: 0, kind: 'IMAGEN4', objectKey: 'x.jpg', width: 1, height: 1, prompt: 'a cat', telegramFileId: 'file-1' },
    });
    const input: PaidJobInput = { userId: user.id, telegramId: user.telegramId, language: 'ru', units: 2, unitPrice: 5, deadlineSeconds: 3, outcome: 'hang', delivered: 0, duplicateSettles: 0 };
    const [terminated, running, partial] = await Promise.all([startJob(input, workflowIds.generation(ended)), startJob(input, workflowIds.generation(late)), startJob(input, workflowIds.generation(halfDelivered))]);
    const bill = (h: typeof terminated) => stack.temporal.workflow.getHandle(workflowIds.billing(h.workflowId));
    for (const h of [terminated, partial]) {
      await eventually(async () => (await bill(h).query(billingStatusQuery).catch(() => null))?.stage === 'charged');
      await h.terminate('an operator stopped a stuck job');
    }

    for (const h of [terminated, running, partial]) expect(await bill(h).result()).toMatchObject({ stage: 'refunded', refunded: 10, refundReason: 'deadline' });
    expect(await getBalance(stack.prisma, user.id)).toBe(50);
    const row = (id: string) => stack.prisma.generation.findUniqueOrThrow({ where: { id }, select: { status: true, failureReason: true } });
    expect(await row(ended)).toEqual({ status: 'FAILED', failureReason: 'workflow_terminated' });
    expect(await row(late)).toEqual({ status: 'RUNNING', failureReason: null }); // late, not abandoned: its own ending speaks
    expect(await row(halfDelivered)).toEqual({ status: 'PARTIAL', failureReason: 'workflow_terminated' }); // delivered before it ended: no message
    const told = stack.telegram.world.botMessages(user.telegramId).filter((m) => m.text?.includes('остановлена'));
    expect(told.map((m) => m.text)).toEqual(['⚠️ Генерация изображений остановлена без результата. Вернули на баланс 10 кредитов.']);
    await running.terminate('test cleanup');
  });
});
