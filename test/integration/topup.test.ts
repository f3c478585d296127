import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLedgerEntry, getBalance, ledgerSum } from '../../lib/db/ledger';
import { workflowIds } from '../../vocabulary/ids';
import { uniqueTelegramId } from '../helpers/config';
import { eventually, startStack, type Stack } from '../helpers/stack';

describe('Telegram Stars top-ups and admin commands, through the Telegram sandbox', () => {
  const adminId = uniqueTelegramId();
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ADMIN_TELEGRAM_IDS: String(adminId) } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const bot = (id: number) => stack.telegram.world.botMessages(id);
  const lastText = (id: number) => bot(id).at(-1)?.text ?? '';
  const userRow = (id: number) => stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });

  async function onboard(id: number, language = 'ru') {
    const before = bot(id).length;
    stack.telegram.sendText(id, '/start', { language_code: language });
    await eventually(() => bot(id).length > before);
  }

  async function buyPack(id: number, packButton: number) {
    stack.telegram.sendText(id, '/topup');
    // the packs' message (the greeting's main menu has buttons too)
    const menu = await eventually(() => bot(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('tp:'))));
    const button = menu.reply_markup!.inline_keyboard[packButton]![0]!;
    stack.telegram.pressButton(id, menu.message_id, (button as { callback_data: string }).callback_data);
    return eventually(() => bot(id).find((m) => m.invoice));
  }

  it('/topup → pack → XTR invoice → pre-checkout → payment credits once, also when the payment update arrives twice', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const invoice = await buyPack(id, 0);
    expect(invoice.invoice).toMatchObject({ currency: 'XTR', total_amount: 50, title: '100 кредитов Aisha' });

    const paid = await stack.telegram.users.payInvoice(id, invoice.message_id);
    expect(paid.status).toBe('paid');
    await eventually(() => lastText(id).startsWith('✅ Оплата получена'));
    expect(lastText(id)).toBe('✅ Оплата получена: +100 (⭐ 50).\n💰 Баланс: 120');

    stack.telegram.world.redeliver(paid.update!); // Telegram delivers the payment update again
    stack.telegram.sendText(id, '/balance');
    await eventually(() => lastText(id).startsWith('💰 Баланс'));
    const user = await userRow(id);
    expect(await stack.prisma.transaction.count({ where: { userId: user.id, kind: 'TOPUP' } })).toBe(1);
    expect(await stack.prisma.payment.findMany({ where: { userId: user.id } })).toMatchObject([
      { telegramPaymentChargeId: paid.chargeId, stars: 50, credits: 100, packId: 'p50', status: 'PAID' },
    ]);
    expect(await getBalance(stack.prisma, user.id)).toBe(120);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(120);
    expect(bot(id).filter((m) => m.text?.startsWith('✅ Оплата получена'))).toHaveLength(1);
  });

  it('/balance shows the history, the tariffs and a top-up button that opens the packs', async () => {
    const id = uniqueTelegramId();
    await onboard(id, 'en');
    stack.telegram.sendText(id, '/balance');
    const balance = await eventually(() => bot(id).find((m) => m.text?.startsWith('💰 Balance')));
    expect(balance.text).toContain('avatar training — 150');
    expect(balance.text).toContain('Imagen 4 image — 4 each');
    expect(balance.text).toContain('  🎁 Welcome gift  +20 → 20');
    stack.telegram.pressButton(id, balance.message_id, 'tu');
    const packs = await eventually(() => bot(id).find((m) => m.text?.startsWith('⭐ Top up')));
    expect(packs.reply_markup!.inline_keyboard.map((r) => r[0]!.text)).toEqual(['⭐ 50 → 100 credits', '⭐ 250 → 550 credits', '⭐ 1,000 → 2,400 credits']);
  });

  it('refuses a pre-checkout whose payload names no offered pack; a forged pack button is refused', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    const invoice = await buyPack(id, 1);
    (invoice as { invoice_payload?: string }).invoice_payload = 'topup:p250:9999:250';
    const declined = await stack.telegram.users.payInvoice(id, invoice.message_id);
    expect(declined).toMatchObject({ status: 'declined', error: 'Этот пакет больше недоступен. Откройте /topup ещё раз.' });
    stack.telegram.pressButton(id, invoice.message_id, 'tp:p77777');
    await new Promise((r) => setTimeout(r, 300));
    expect(await stack.prisma.transaction.count({ where: { user: { telegramId: BigInt(id) }, kind: 'TOPUP' } })).toBe(0);
  });

  it('/admin grant credits once per command, tells the admin and the user; /admin balance', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    await onboard(adminId);
    const cmd = stack.telegram.sendText(adminId, `/admin grant ${id} 30 compensation for a failed job`);
    await eventually(() => lastText(adminId).startsWith('✅ Пользователю'));
    expect(lastText(adminId)).toBe(`✅ Пользователю ${id} начислено 30. Баланс: 50`);
    await eventually(() => lastText(id).startsWith('🎁 Вам начислено 30'));
    stack.telegram.world.redeliver(cmd);
    stack.telegram.sendText(adminId, `/admin balance ${id}`);
    await eventually(() => lastText(adminId) === `Пользователь ${id}: баланс 50`);
    expect(await stack.prisma.transaction.count({ where: { userId: (await userRow(id)).id, kind: 'GRANT' } })).toBe(2); // welcome + admin
    stack.telegram.sendText(adminId, `/admin grant ${id} 0 nothing`);
    await eventually(() => lastText(adminId).startsWith('Количество кредитов'));
  });

  it('a non-admin gets nothing from /admin', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    stack.telegram.sendText(id, `/admin grant ${id} 1000 free money`);
    stack.telegram.sendText(id, '/balance');
    await eventually(() => lastText(id).startsWith('💰 Баланс'));
    expect(bot(id).map((m) => m.text)).not.toContainEqual(expect.stringContaining('админ'));
    expect(bot(id)).toHaveLength(2); // the greeting and the balance: /admin answered nothing
    expect(await getBalance(stack.prisma, (await userRow(id)).id)).toBe(20);
  });

  it('/admin refund-payment: refunds the Stars and takes the credits back once; refuses when the credits are spent', async () => {
    const id = uniqueTelegramId();
    await onboard(id);
    await onboard(adminId);
    const paid = await stack.telegram.users.payInvoice(id, (await buyPack(id, 0)).message_id);
    await eventually(() => lastText(id).startsWith('✅ Оплата получена'));

    stack.telegram.sendText(adminId, `/admin refund-payment ${paid.chargeId}`);
    await eventually(() => lastText(adminId).startsWith('✅ Платёж'));
    expect(stack.telegram.world.payments.get(paid.chargeId!)?.refunded).toBe(true);
    const user = await userRow(id);
    expect(await getBalance(stack.prisma, user.id)).toBe(20);
    expect(await stack.prisma.payment.findUniqueOrThrow({ where: { telegramPaymentChargeId: paid.chargeId! } })).toMatchObject({ status: 'REFUNDED' });
    await eventually(() => lastText(id).startsWith('↩️'));
    await stack.temporal.workflow.getHandle(workflowIds.refundPayment(paid.chargeId!)).result();

    stack.telegram.sendText(adminId, `/admin refund-payment ${paid.chargeId}`);
    await eventually(() => lastText(adminId) === `Платёж ${paid.chargeId} уже возвращён.`);

    // A second purchase whose credits are then mostly spent cannot be refunded.
    const second = await stack.telegram.users.payInvoice(id, (await buyPack(id, 0)).message_id);
    await eventually(() => bot(id).filter((m) => m.text?.startsWith('✅ Оплата получена')).length === 2);
    await applyLedgerEntry(stack.prisma, { userId: user.id, kind: 'CHARGE', amount: -90, idempotencyKey: `spent:${second.chargeId}`, jobId: 'gen-spent' });
    stack.telegram.sendText(adminId, `/admin refund-payment ${second.chargeId}`);
    await eventually(() => lastText(adminId).startsWith('Нельзя вернуть'));
    expect(stack.telegram.world.payments.get(second.chargeId!)?.refunded).toBe(false);
    expect(await getBalance(stack.prisma, user.id)).toBe(30);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(30);

    // Once the user has the credits again, the refused refund can be tried again.
    await applyLedgerEntry(stack.prisma, { userId: user.id, kind: 'REFUND', amount: 90, idempotencyKey: `unspent:${second.chargeId}`, jobId: 'gen-spent' });
    await stack.temporal.workflow.getHandle(workflowIds.refundPayment(second.chargeId!)).result();
    stack.telegram.sendText(adminId, `/admin refund-payment ${second.chargeId}`);
    await eventually(() => lastText(adminId).startsWith(`✅ Платёж ${second.chargeId}`));
    expect(stack.telegram.world.payments.get(second.chargeId!)?.refunded).toBe(true);
    expect(await getBalance(stack.prisma, user.id)).toBe(20);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(20);

    const unknown = `stxUNKNOWN${Date.now()}`;
    stack.telegram.sendText(adminId, `/admin refund-payment ${unknown}`);
    await eventually(() => lastText(adminId) === `Платёж ${unknown} не найден.`);
  });
});
