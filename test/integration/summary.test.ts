import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSummaryActivities } from '../../activities/summary';
import { applyLedgerEntry, getBalance, ledgerSum } from '../../lib/db/ledger';
import { upsertUser } from '../../lib/db/users';
import { createOpenAI } from '../../lib/openai';
import type { TranscriptSummary } from '../../vocabulary/summary';
import { uniqueTelegramId } from '../helpers/config';
import { makeSpeechAudio, type SpeechAudio } from '../helpers/speech-audio';
import { eventually, startStack, type Stack } from '../helpers/stack';

const CHAT_PATH = '/v1/chat/completions';

/**
 * "📋 Кратко" under a finished transcript (issue 19): the button's price is
 * charged once, the summary comes as a new message replying to the outcome,
 * pressing again shows it again for free; a stale price, someone else's
 * transcript, a short balance or an LLM that fails for good cost nothing.
 */
describe('transcript summary: the button, the charge, the LLM, the refund', () => {
  let stack: Stack;
  let dir: string;
  let speech: SpeechAudio;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisha-summary-test-'));
    stack = await startStack({ env: { WELCOME_CREDITS: '20', PRICE_TRANSCRIPT_SUMMARY: '2' } });
    speech = await makeSpeechAudio({ seconds: 40, dir, seed: 31 });
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const find = (id: number, part: string) => msgs(id).find((m) => textOf(m).includes(part));
  const all = (id: number, part: string) => msgs(id).filter((m) => textOf(m).includes(part));
  const summaryButton = (m: { reply_markup?: { inline_keyboard: unknown[][] } } | undefined) =>
    (m?.reply_markup?.inline_keyboard.flat() as { text: string; callback_data?: string }[] | undefined)?.find((b) => b.callback_data?.startsWith('ts:'));
  const answerOf = (update: { callback_query?: { id: string } }) => eventually(() => tg().world.callbackAnswers.get(update.callback_query!.id));
  const charges = (userId: number) => stack.prisma.transaction.findMany({ where: { userId, jobId: { startsWith: 'sum-' } }, orderBy: { id: 'asc' } });

  /** A user with a finished 40-second transcript: the outcome message with 📋 on it. */
  async function transcribed() {
    const id = uniqueTelegramId();
    tg().sendText(id, '/start');
    await eventually(() => find(id, 'Привет'));
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    await tg().users.sendMedia(id, 'voice', await readFile(speech.path), { mimeType: 'audio/ogg' });
    const done = await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 90_000 });
    const transcript = await stack.prisma.transcript.findFirstOrThrow({ where: { userId: user.id } });
    return { id, user, done, transcript };
  }

  it('charged the price on the button once; the summary replies to the outcome; pressed again, the same summary for free', async () => {
    const { id, user, done, transcript } = await transcribed();
    const button = summaryButton(done);
    expect(button?.text).toBe('📋 Кратко — 2 кредита');
    expect(button?.callback_data).toBe(`ts:${transcript.id}:2`);
    const before = await getBalance(stack.prisma, user.id);

    expect((await answerOf(tg().pressButton(id, done.message_id, button!.callback_data!))).text).toContain('Готовлю');
    const result = await eventually(() => find(id, 'Главное:'), { timeoutMs: 60_000 });
    expect(result.reply_to_message?.message_id).toBe(done.message_id);
    // The summary is the transcript's own: its title from the first sentence, its points sentences of the text.
    const sentences = transcript.text!.split(/(?<=\.)\s+/);
    expect(textOf(result).split('\n')[0]).toBe(`📋 ${sentences[0]!.split(' ').slice(0, 8).join(' ').replace(/\.$/, '')}`);
    const points = textOf(result).split('\n').filter((l) => l.startsWith('• ')).map((l) => l.slice(2));
    expect(points.length).toBeGreaterThanOrEqual(Math.min(3, sentences.length));
    for (const p of points) expect(sentences).toContain(p);
    // The progress line went away; one charge of 2 for this summary, nothing refunded.
    await eventually(() => (find(id, 'составляю краткое содержание') ? null : true));
    await eventually(async () => (await stack.prisma.transcriptSummary.findFirst({ where: { transcriptId: transcript.id, status: 'COMPLETED' } })) ?? null);
    expect((await charges(user.id)).map((t) => [t.kind, t.amount])).toEqual([['CHARGE', -2]]);
    expect(await getBalance(stack.prisma, user.id)).toBe(before - 2);

    // Again: the stored summary, at once and free.
    tg().pressButton(id, done.message_id, button!.callback_data!);
    await eventually(() => (all(id, 'Главное:').length === 2 ? true : null));
    expect(textOf(all(id, 'Главное:')[1]!)).toBe(textOf(result));
    expect(await getBalance(stack.prisma, user.id)).toBe(before - 2);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(await getBalance(stack.prisma, user.id));
  });

  it('two presses at once: one summary, one charge', async () => {
    const { id, user, done, transcript } = await transcribed();
    const data = summaryButton(done)!.callback_data!;
    const [a, b] = [tg().pressButton(id, done.message_id, data), tg().pressButton(id, done.message_id, data)];
    await Promise.all([answerOf(a), answerOf(b)]);
    await eventually(() => find(id, 'Главное:'), { timeoutMs: 60_000 });
    await eventually(async () => (await stack.prisma.transcriptSummary.findFirst({ where: { transcriptId: transcript.id, status: 'COMPLETED' } })) ?? null);
    // Whichever lost the race ended without a charge; give it time to have charged if it wrongly would.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await charges(user.id)).map((t) => t.amount)).toEqual([-2]);
    expect(all(id, 'Главное:')).toHaveLength(1);
  });

  it('a stale price on the button: nothing charged, the button redrawn with the current price', async () => {
    const { id, user, done, transcript } = await transcribed();
    const answer = await answerOf(tg().pressButton(id, done.message_id, `ts:${transcript.id}:1`));
    expect(answer).toMatchObject({ show_alert: true });
    expect(answer.text).toContain('было 1, теперь 2');
    await eventually(() => (summaryButton(msgs(id).find((m) => m.message_id === done.message_id))?.callback_data === `ts:${transcript.id}:2` ? true : null));
    expect(await charges(user.id)).toEqual([]);
    expect(await stack.prisma.transcriptSummary.count({ where: { transcriptId: transcript.id } })).toBe(0);

    // In the gallery's list the same press redraws only that 📋: the files' buttons stay.
    tg().sendText(id, '/gallery');
    const gallery = await eventually(() => msgs(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === 'glt')));
    tg().pressButton(id, gallery.message_id, 'glt');
    const list = await eventually(() => find(id, 'Ваши последние расшифровки'));
    const data = (m: typeof list) => m.reply_markup!.inline_keyboard.flat().map((b) => ('callback_data' in b ? b.callback_data : ''));
    const before = data(list); // a copy: the stand-in edits its stored message in place
    expect(before).toContain(`ts:${transcript.id}:2`);
    expect(before.length).toBeGreaterThan(1);
    await answerOf(tg().pressButton(id, list.message_id, `ts:${transcript.id}:1`));
    // (the list already shows the current price, so nothing changes at all — and nothing is lost)
    await new Promise((r) => setTimeout(r, 500));
    const after = tg().world.find(id, list.message_id)!;
    expect(data(after)).toEqual(before);
    expect(await charges(user.id)).toEqual([]);
  });

  it("someone else's transcript or forged data: refused, nothing charged, nothing started", async () => {
    const { transcript } = await transcribed();
    const intruder = uniqueTelegramId();
    tg().sendText(intruder, '/start');
    const hello = await eventually(() => find(intruder, 'Привет'));
    for (const data of [`ts:${transcript.id}:2`, 'ts:not-a-uuid:2', `ts:${transcript.id}`, `ts:${transcript.id}:-2`]) {
      const answer = await answerOf(tg().pressButton(intruder, hello.message_id, data));
      expect(answer.text).toContain('не найдена');
    }
    expect(await stack.prisma.transcriptSummary.count({ where: { transcriptId: transcript.id } })).toBe(0);
    expect(await stack.prisma.transaction.count({ where: { jobId: { startsWith: 'sum-' }, user: { telegramId: BigInt(intruder) } } })).toBe(0);
  });

  it('a balance too short: nothing charged, a top-up offered; the LLM refusing: refunded in full, and a later press works', async () => {
    const { id, user, done, transcript } = await transcribed();
    const data = summaryButton(done)!.callback_data!;
    const balance = await getBalance(stack.prisma, user.id);
    await applyLedgerEntry(stack.prisma, { userId: user.id, kind: 'CHARGE', amount: -(balance - 1), idempotencyKey: `summary-test-drain:${user.id}` });
    tg().pressButton(id, done.message_id, data);
    const short = await eventually(() => find(id, 'Не хватает кредитов'), { timeoutMs: 30_000 });
    expect(textOf(short)).toContain('нужно 2, на балансе 1');
    await eventually(async () => (await stack.prisma.transcriptSummary.findFirst({ where: { transcriptId: transcript.id, status: 'FAILED', failureReason: 'insufficient' } })) ?? null);
    expect(await charges(user.id)).toEqual([]);

    await applyLedgerEntry(stack.prisma, { userId: user.id, kind: 'GRANT', amount: 9, idempotencyKey: `summary-test-grant:${user.id}` });
    stack.openai.setKnobs({ refuseNext: 1 });
    try {
      tg().pressButton(id, done.message_id, data);
      const failed = await eventually(() => find(id, 'Не получилось составить'), { timeoutMs: 60_000 });
      expect(textOf(failed)).toContain('2 кредита возвращены');
    } finally {
      stack.openai.resetKnobs();
    }
    await eventually(async () => ((await charges(user.id)).length === 2 ? true : null));
    expect((await charges(user.id)).map((t) => [t.kind, t.amount])).toEqual([['CHARGE', -2], ['REFUND', 2]]);
    expect(await getBalance(stack.prisma, user.id)).toBe(10);

    tg().pressButton(id, done.message_id, data);
    await eventually(() => find(id, 'Главное:'), { timeoutMs: 60_000 });
    await eventually(async () => ((await charges(user.id)).length === 3 ? true : null));
    expect(await getBalance(stack.prisma, user.id)).toBe(8);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(8);
  });

  it('a long transcript is summarized in parts and merged: every part read once, action items from all of them', async () => {
    const { config } = stack;
    const openai = createOpenAI({ ...config.openai, apiKey: config.openai.apiKey ?? 'sk-sandbox' }, { maxRetries: 0 });
    const activities = createSummaryActivities({ prisma: stack.prisma, openai, config, partChars: 250 });
    const user = await upsertUser(stack.prisma, { telegramId: uniqueTelegramId() });
    const paragraph = (n: number) =>
      `Часть ${n}: обсуждали бюджет проекта номер ${n}. Цифры сошлись не везде. Иван показал отчёт за квартал. Нужно отправить отчёт ${n} клиенту к пятнице. Остальное перенесли на следующую встречу.`;
    const text = [1, 2, 3].map(paragraph).join('\n\n');
    const transcript = await stack.prisma.transcript.create({ data: { userId: user.id, fileId: 'f', fileUniqueId: 'u', status: 'COMPLETED', text } });
    const summaryId = crypto.randomUUID();
    expect(await activities.claimSummary({ summaryId, transcriptId: transcript.id, userId: user.id, price: 2 })).toEqual({ ok: true });
    // A second attempt while this one lives is refused.
    expect(await activities.claimSummary({ summaryId: crypto.randomUUID(), transcriptId: transcript.id, userId: user.id, price: 2 })).toMatchObject({ ok: false, reason: 'running', summaryId });

    const before = stack.openai.requests.filter((r) => r.path === CHAT_PATH).length;
    const summary: TranscriptSummary = await new MockActivityEnvironment().run(activities.summarizeTranscript, { summaryId });
    const calls = stack.openai.requests.filter((r) => r.path === CHAT_PATH).slice(before);
    expect(calls).toHaveLength(4); // three parts, then the merge
    expect(summary.language).toBe('ru');
    expect(summary.title).toContain('Часть 1');
    expect(summary.actionItems).toEqual([1, 2, 3].map((n) => `Нужно отправить отчёт ${n} клиенту к пятнице.`));
    expect(summary.keyPoints.length).toBeGreaterThanOrEqual(3);
    expect(summary.keyPoints.length).toBeLessThanOrEqual(7);
    const row = await stack.prisma.transcriptSummary.findUniqueOrThrow({ where: { id: summaryId } });
    expect(row).toMatchObject({ status: 'RUNNING', title: summary.title, actionItems: summary.actionItems });

    await activities.finishSummary({ summaryId, status: 'COMPLETED' });
    expect(await activities.claimSummary({ summaryId: crypto.randomUUID(), transcriptId: transcript.id, userId: user.id, price: 2 })).toMatchObject({ ok: false, reason: 'completed' });
    // Not this user's transcript: missing.
    const other = await upsertUser(stack.prisma, { telegramId: uniqueTelegramId() });
    expect(await activities.claimSummary({ summaryId: crypto.randomUUID(), transcriptId: transcript.id, userId: other.id, price: 2 })).toEqual({ ok: false, reason: 'missing' });
  });
});
