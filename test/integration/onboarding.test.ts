import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerSum, getBalance } from '../../lib/db/ledger';
import { upsertUser } from '../../lib/db/users';
import { eventually, startStack, type Stack } from '../helpers/stack';
import { uniqueTelegramId } from '../helpers/config';

describe('/start → onboarding workflow → welcome grant (real bot, Temporal, PostgreSQL, Telegram sandbox)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const botTexts = (chatId: number) => stack.telegram.world.botMessages(chatId).map((m) => m.text ?? '');
  const userRow = (telegramId: number) =>
    stack.prisma.user.findUnique({ where: { telegramId: BigInt(telegramId) }, include: { transactions: true, balance: true } });

  it('creates one user, grants the welcome credits once and greets in Russian by default', async () => {
    const id = uniqueTelegramId();
    stack.telegram.sendText(id, '/start', { first_name: 'Айша', language_code: 'ru' });

    const greeting = await eventually(() => botTexts(id).find((t) => t.includes('Привет')));
    expect(greeting).toContain('Айша');
    expect(greeting).toContain('20 кредитов');

    const user = await userRow(id);
    expect(user?.language).toBe('ru');
    expect(user?.transactions).toHaveLength(1);
    expect(user?.transactions[0]).toMatchObject({ kind: 'GRANT', amount: 20, balanceAfter: 20, idempotencyKey: `welcome:${user!.id}` });
    expect(user?.balance?.credits).toBe(20);
    expect(await ledgerSum(stack.prisma, user!.id)).toBe(20);
  });

  it('a second /start and a redelivered update grant nothing', async () => {
    const id = uniqueTelegramId();
    const first = stack.telegram.sendText(id, '/start', { language_code: 'ru' });
    await eventually(() => botTexts(id).find((t) => t.includes('Привет')));

    stack.telegram.world.redeliver(first); // same update_id: the same workflow id, rejected as a duplicate
    stack.telegram.sendText(id, '/start');
    await eventually(() => botTexts(id).find((t) => t.includes('С возвращением')));

    const user = await userRow(id);
    expect(user?.transactions).toHaveLength(1);
    expect(await getBalance(stack.prisma, user!.id)).toBe(20);
    expect(await ledgerSum(stack.prisma, user!.id)).toBe(20);
    // one greeting per distinct /start: the redelivered update produced no third message
    await new Promise((r) => setTimeout(r, 500));
    expect(botTexts(id)).toHaveLength(2);
  });

  const onboardingRuns = async (telegramId: number) => {
    const ids: string[] = [];
    for await (const wf of stack.temporal.workflow.list({ query: `UserId = "${telegramId}" AND JobKind = "onboarding"` })) ids.push(wf.workflowId);
    return ids;
  };

  it('a welcomed user\'s /start is answered from the database, with the new name, without a workflow', async () => {
    const id = uniqueTelegramId();
    stack.telegram.sendText(id, '/start', { first_name: 'Ann', language_code: 'en' });
    await eventually(() => botTexts(id).find((t) => t.includes('Hi, Ann')));
    await eventually(async () => ((await onboardingRuns(id)).length === 1 ? true : null));

    stack.telegram.sendText(id, '/start', { first_name: 'Anna', username: 'anna_k', language_code: 'en' });
    const back = await eventually(() => botTexts(id)[1]);
    expect(back).toContain('Anna');
    expect(back).toContain('20');
    expect(stack.telegram.world.botMessages(id)[1]?.reply_markup).toEqual(stack.telegram.world.botMessages(id)[0]?.reply_markup); // the main menu
    expect(await userRow(id)).toMatchObject({ firstName: 'Anna', username: 'anna_k' });
    expect(await onboardingRuns(id)).toHaveLength(1);
  });

  it('a user who exists without the welcome grant (a top-up came first) is granted it by /start', async () => {
    const id = uniqueTelegramId();
    await upsertUser(stack.prisma, { telegramId: id, languageCode: 'ru' });
    stack.telegram.sendText(id, '/start', { first_name: 'Айша' });
    expect(await eventually(() => botTexts(id)[0])).toContain('20 кредитов');
    const user = await userRow(id);
    expect(user?.transactions).toMatchObject([{ kind: 'GRANT', amount: 20, idempotencyKey: `welcome:${user!.id}` }]);
  });

  it('a /start the bot never marked handled (it stopped) is answered again, granting nothing', async () => {
    const id = uniqueTelegramId();
    const first = stack.telegram.sendText(id, '/start', { first_name: 'Айша' });
    await eventually(() => botTexts(id).find((t) => t.includes('Привет')));
    // As if the bot had stopped after answering but before marking the update handled: Telegram delivers it again.
    await stack.redis.del(`aisha:update:${stack.bot.botInfo.id}:${first.update_id}`);
    stack.telegram.world.redeliver(first);
    await eventually(() => (botTexts(id).length === 2 ? true : null));
    expect(botTexts(id)[1]).toMatch(/^👋 С возвращением, Айша!\n💰 Баланс: 20/); // the user was welcomed by the first delivery
    const user = await userRow(id);
    expect(user?.transactions).toHaveLength(1);
    expect(await onboardingRuns(id)).toHaveLength(1);
  });

  it('greets an English-speaking user in English and /balance shows the ledger', async () => {
    const id = uniqueTelegramId();
    stack.telegram.sendText(id, '/start', { first_name: 'Ann', language_code: 'en-GB' });
    await eventually(() => botTexts(id).find((t) => t.includes('Hi, Ann')));

    stack.telegram.sendText(id, '/balance');
    const balance = await eventually(() => botTexts(id).find((t) => t.startsWith('💰 Balance')));
    expect(balance).toContain('Balance: 20 credits');
    expect(balance).toContain('  🎁 Welcome gift  +20 → 20');
  });

  it('/balance before /start asks to start first', async () => {
    const id = uniqueTelegramId();
    stack.telegram.sendText(id, '/balance');
    expect(await eventually(() => botTexts(id)[0])).toBe('Сначала отправьте /start.');
  });

  it('records search attributes operators query by', async () => {
    const id = uniqueTelegramId();
    stack.telegram.sendText(id, '/start');
    await eventually(() => botTexts(id).length > 0);
    const found = await eventually(async () => {
      const list: string[] = [];
      for await (const wf of stack.temporal.workflow.list({ query: `UserId = "${id}" AND JobKind = "onboarding"` })) list.push(wf.workflowId);
      return list.length ? list : null;
    });
    expect(found[0]).toMatch(new RegExp(`^onboarding-${id}-u\\d+$`));
  });
});
