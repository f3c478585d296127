import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../vocabulary/ids';
import { uniqueTelegramId } from '../helpers/config';
import { buttonData, eventually, startStack, type Stack } from '../helpers/stack';

/**
 * Found by the chaos drill: a worker killed while it held a FAL queue call
 * (submit, result) left the generation waiting for that call's
 * startToCloseTimeout, then 5 minutes, before another worker retried it. Queue
 * calls answer in seconds: the timeout Temporal enforces for them is a minute.
 */
describe('FAL queue calls: a dead worker is noticed within a minute', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { FAL_POLL_INTERVAL_SECONDS: '1', WELCOME_CREDITS: '100' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a generation schedules submitGeneration and generationResult with startToCloseTimeout ≤ 60 s', async () => {
    const tg = stack.telegram;
    const id = uniqueTelegramId();
    tg.sendText(id, '/start');
    await eventually(() => tg.world.botMessages(id).some((m) => m.text?.includes('Привет')));
    tg.sendText(id, '/imagen маяк на скале');
    const offer = await eventually(() => tg.world.botMessages(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('gg:'))));
    tg.pressButton(id, offer.message_id, buttonData(offer, 'gg'));
    await eventually(() => tg.world.botMessages(id).some((m) => m.photo), { timeoutMs: 60_000 });

    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    const gen = await stack.prisma.generation.findFirstOrThrow({ where: { userId: user.id } });
    const history = await stack.temporal.workflow.getHandle(workflowIds.generation(gen.id)).fetchHistory();
    const scheduled = new Map(
      (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType?.name === 'submitGeneration' || a?.activityType?.name === 'generationResult')
        .map((a) => [a!.activityType!.name!, Number(a!.startToCloseTimeout?.seconds ?? 0)]),
    );
    expect([...scheduled.keys()].sort()).toEqual(['generationResult', 'submitGeneration']);
    for (const [name, seconds] of scheduled) expect(seconds, name).toBeLessThanOrEqual(60);
  }, 120_000);
});
