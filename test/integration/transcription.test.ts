import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance, ledgerSum } from '../../lib/db/ledger';
import { VOCABULARY } from '../../sandbox/openai/audio';
import { workflowIds } from '../../vocabulary/ids';
import { transcriptionStatusQuery, type TranscriptionStatus } from '../../workflows/transcription-api';
import { uniqueTelegramId } from '../helpers/config';
import { makeSpeechAudio, type SpeechAudio } from '../helpers/speech-audio';
import { eventually, startStack, type Stack } from '../helpers/stack';
import { TELEGRAM_FAILURE_CLASSES } from '../helpers/telegram-failures';

const TRANSCRIBE_PATH = '/v1/audio/transcriptions';

describe('chunked transcription through the bot (Telegram and OpenAI stand-ins; real services, ffmpeg)', () => {
  let stack: Stack;
  let dir: string;
  let hour: SpeechAudio;
  let short: SpeechAudio;
  let twentyFive: SpeechAudio;
  const failAnalysisFor = new Set<number>();
  /** userId → the chunk whose Whisper call fails for good (a non-retryable failure, as after the last attempt). */
  const failChunkFor = new Map<number, number>();
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisha-tr-test-'));
    stack = await startStack({
      // links to the test's own file server on 127.0.0.1 are allowed, as in the sandbox (lib/link-import.ts)
      env: { WELCOME_CREDITS: '200', TRANSCRIPTION_PARALLEL_CHUNKS: '2', LINK_IMPORT_ALLOW_PRIVATE: 'true' },
      // Fault injection: the media worker cannot read a recording at all (e.g. MinIO down for good).
      wrapActivities: (a) => ({
        ...a,
        media: {
          ...a.media,
          analyzeAudio: async (input: Parameters<typeof a.media.analyzeAudio>[0]) => {
            if (failAnalysisFor.has(input.userId)) throw ApplicationFailure.create({ message: 'storage unavailable', nonRetryable: true });
            return a.media.analyzeAudio(input);
          },
        },
        openai: {
          ...a.openai,
          transcribeChunk: async (input: Parameters<typeof a.openai.transcribeChunk>[0]) => {
            if (failChunkFor.get(input.userId) === input.chunk.index) throw ApplicationFailure.create({ message: 'Whisper kept failing on this part', nonRetryable: true });
            return a.openai.transcribeChunk(input);
          },
        },
      }),
    });
    [hour, short, twentyFive] = await Promise.all([
      makeSpeechAudio({ seconds: 3600, dir, seed: 7 }),
      makeSpeechAudio({ seconds: 90, dir, seed: 8 }),
      makeSpeechAudio({ seconds: 25 * 60, dir, seed: 9 }),
    ]);
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const find = (id: number, part: string) => msgs(id).find((m) => textOf(m).includes(part));
  const userOf = (id: number) => stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
  const words = (text: string) => text.toLowerCase().match(/\p{L}+/gu) ?? [];
  /** The stand-in names tones with words of the language hint: Russian users get Russian words. */
  const inRussian = (audio: SpeechAudio) => audio.words.map((w) => VOCABULARY.ru[VOCABULARY.en.indexOf(w as (typeof VOCABULARY.en)[number])]);
  const transcriptionCalls = (filter: (r: (typeof stack.openai.requests)[number]) => boolean = () => true) =>
    stack.openai.requests.filter((r) => r.path === TRANSCRIBE_PATH && filter(r));
  const fileOf = (r: (typeof stack.openai.requests)[number]) => ((r.body as Record<string, unknown>).file as { filename: string }).filename;

  async function onboard(id: number) {
    tg().sendText(id, '/start');
    await eventually(() => find(id, 'Привет'));
    return userOf(id);
  }
  const transcriptOf = (userId: number) => eventually(() => stack.prisma.transcript.findFirst({ where: { userId }, orderBy: { createdAt: 'desc' } }));
  const statusOf = (transcriptId: string) =>
    stack.temporal.workflow.getHandle(workflowIds.transcription(transcriptId)).query<TranscriptionStatus, []>(transcriptionStatusQuery);
  const transactions = (userId: number) => stack.prisma.transaction.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } });

  it('a 60-minute recording: a quote to confirm, cuts only in silences, every chunk transcribed in order, .txt, .srt and .vtt delivered, charged 60', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const before = transcriptionCalls().length;
    await tg().users.sendMedia(id, 'voice', await readFile(hour.path), { mimeType: 'audio/ogg' });

    const quote = await eventually(() => find(id, '60 мин'), { timeoutMs: 60_000 });
    expect(textOf(quote)).toContain('1:00:00');
    expect(textOf(quote)).toContain('60 кредитов');
    const confirm = quote.reply_markup!.inline_keyboard.flat().find((b) => 'callback_data' in b && b.callback_data.startsWith('tc:')) as { callback_data: string };
    expect(await getBalance(stack.prisma, user.id)).toBe(200); // nothing charged before the confirmation
    tg().pressButton(id, quote.message_id, confirm.callback_data);

    const done = await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 240_000 });
    expect(textOf(done)).toContain('Списано 60');
    const transcript = await transcriptOf(user.id);
    // 4 chunks at a time: 8 chunks of about 7.5 minutes, two full rounds (activities/audio.ts chunkPlanForLanes)
    expect(transcript).toMatchObject({ status: 'COMPLETED', durationSec: 3600, chunkCount: 8 });

    // the cuts: each inside a silent gap of the recording, no chunk longer than 10 minutes
    const status = await statusOf(transcript.id);
    expect(status.cuts).toHaveLength(7);
    for (const cut of status.cuts) expect(hour.silences.some((s) => s.start <= cut && cut <= s.end), `cut at ${cut}s`).toBe(true);
    const bounds = [0, ...status.cuts, 3600];
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]! - bounds[i - 1]!).toBeLessThanOrEqual(600);
    expect(status.chunksDone.toSorted()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    // every chunk went to Whisper once; the words came back complete, in order, none twice
    const calls = transcriptionCalls().slice(before);
    expect(calls.map(fileOf).toSorted()).toEqual(['chunk-000.ogg', 'chunk-001.ogg', 'chunk-002.ogg', 'chunk-003.ogg', 'chunk-004.ogg', 'chunk-005.ogg', 'chunk-006.ogg', 'chunk-007.ogg']);
    expect(words(transcript.text!)).toEqual(inRussian(hour));

    // the first part in a message, then the .txt, .srt and .vtt files
    const docs = msgs(id).filter((m) => m.document);
    expect(docs.map((d) => d.document!.file_name).toSorted()).toEqual(['transcript.srt', 'transcript.txt', 'transcript.vtt']);
    const header = find(id, '📝 Расшифровка · 1:00:00')!;
    expect(textOf(header).length).toBeLessThanOrEqual(4096);
    const txt = tg().world.files.get(docs.find((d) => d.document!.file_name === 'transcript.txt')!.document!.file_id)!.data.toString('utf8');
    expect(words(txt)).toEqual(inRussian(hour));
    const srt = tg().world.files.get(docs.find((d) => d.document!.file_name === 'transcript.srt')!.document!.file_id)!.data.toString('utf8');
    const stamps = [...srt.matchAll(/(\d\d):(\d\d):(\d\d),(\d\d\d) --> /g)].map(([, h, m, s, ms]) => +h! * 3600 + +m! * 60 + +s! + +ms! / 1000);
    expect(stamps.length).toBeGreaterThan(100);
    expect(stamps.every((t, i) => i === 0 || t >= stamps[i - 1]!)).toBe(true);
    expect(stamps.at(-1)).toBeGreaterThan(3500);
    // WebVTT: the same cues, "." before the milliseconds
    const vtt = tg().world.files.get(docs.find((d) => d.document!.file_name === 'transcript.vtt')!.document!.file_id)!.data.toString('utf8');
    expect(vtt.startsWith('WEBVTT\n\n1\n')).toBe(true);
    expect([...vtt.matchAll(/(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> /g)].length).toBe(stamps.length);

    expect(await getBalance(stack.prisma, user.id)).toBe(140);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(140);
    expect((await transactions(user.id)).filter((t) => t.kind === 'CHARGE').map((t) => t.amount)).toEqual([-60]);
  }, 300_000); // a whole hour of audio through ffmpeg and the stand-in on 2 cores: about 2 minutes, more when other files run beside it

  it('a chunk failing twice then succeeding: delivered as one message, charged once', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const before = transcriptionCalls().length;
    stack.openai.setKnobs({ fail5xxNext: 2 });
    await tg().users.sendMedia(id, 'audio', await readFile(short.path), { fileName: 'note.ogg', mimeType: 'audio/ogg' });
    const result = await eventually(() => find(id, '📝 Расшифровка · 1:30'), { timeoutMs: 60_000 });
    expect(words(textOf(result))).toEqual(['расшифровка', ...inRussian(short)]);
    const calls = transcriptionCalls().slice(before);
    expect(calls.map((c) => c.status)).toEqual([500, 500, 200]);
    await eventually(() => find(id, 'Расшифровка готова'));
    expect(await getBalance(stack.prisma, user.id)).toBe(198);
    expect(msgs(id).some((m) => m.document)).toBe(false);
  });

  it('a chunk failing for good: full refund and a message', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.openai.setKnobs({ rate5xx: 1 });
    try {
      await tg().users.sendMedia(id, 'voice', await readFile(short.path), { mimeType: 'audio/ogg' });
      const failed = await eventually(() => find(id, 'Расшифровка не удалась'), { timeoutMs: 90_000 });
      expect(textOf(failed)).toContain('2 кредита возвращено');
    } finally {
      stack.openai.setKnobs({ rate5xx: 0 });
    }
    const transcript = await transcriptOf(user.id);
    expect(transcript).toMatchObject({ status: 'FAILED', failureReason: 'transcription_failed' });
    await eventually(async () => (await transactions(user.id)).some((t) => t.kind === 'REFUND'));
    expect((await transactions(user.id)).map((t) => [t.kind, t.amount])).toEqual([
      ['GRANT', 200],
      ['CHARGE', -2],
      ['REFUND', 2],
    ]);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(200);
  });

  it('one of three chunks failing for good: the transcript comes with the gap marked, the gap\'s minutes refunded', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    failChunkFor.set(user.id, 1);
    await tg().users.sendMedia(id, 'voice', await readFile(twentyFive.path), { mimeType: 'audio/ogg' });
    const quote = await eventually(() => find(id, '25 мин'), { timeoutMs: 60_000 });
    const transcript = await transcriptOf(user.id);
    tg().pressButton(id, quote.message_id, `tc:${transcript.id}`);
    const told = await eventually(() => find(id, 'Расшифровка готова, но одна часть записи не распознана'), { timeoutMs: 120_000 });
    const status = await statusOf(transcript.id);
    expect(status.failedChunks).toEqual([1]);
    const lost = Math.ceil((status.cuts[1]! - status.cuts[0]!) / 60); // the failed chunk owned [cut 0, cut 1)
    expect(lost).toBeGreaterThan(0);
    expect(textOf(told)).toContain(`Списано ${25 - lost} `);
    expect(textOf(told)).toContain(`, ${lost} `);
    const done = await stack.prisma.transcript.findUniqueOrThrow({ where: { id: transcript.id } });
    expect(done).toMatchObject({ status: 'PARTIAL', failureReason: 'chunks_failed' });
    // the gap is marked where it was; the words of the other chunks are all there, in order
    expect(done.text).toMatch(/\[не распознано: \d+:\d\d – \d+:\d\d\]/);
    const expected: (string | undefined)[] = inRussian(twentyFive);
    const got = words(done.text!.replace(/\[не распознано[^\]]*\]/, ''));
    // what is left is the recording without one stretch: its start and its end, in order, fewer words
    expect(got.length).toBeLessThan(expected.length);
    expect(got.length).toBeGreaterThan(expected.length / 3);
    let at = 0;
    for (const w of got) at = expected.indexOf(w, at) + 1 || Number.NaN;
    expect(at).not.toBeNaN();
    expect([got[0], got.at(-1)]).toEqual([expected[0], expected.at(-1)]);
    // charged 25, the gap's minutes back: the ledger says so
    await eventually(async () => (await transactions(user.id)).some((t) => t.kind === 'REFUND'));
    expect((await transactions(user.id)).map((t) => [t.kind, t.amount])).toEqual([
      ['GRANT', 200],
      ['CHARGE', -25],
      ['REFUND', lost],
    ]);
    expect(await getBalance(stack.prisma, user.id)).toBe(200 - 25 + lost);
    failChunkFor.delete(user.id);
  });

  it('a link instead of a file: fetched by the workflow, transcribed and charged like a file; a web page link is refused, uncharged', async () => {
    const files = http.createServer((req, res) => {
      if (req.url === '/podcast/episode-1.ogg') return void readFile(short.path).then((data) => res.writeHead(200, { 'content-type': 'audio/ogg', 'content-length': data.length }).end(data));
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>a player page</html>');
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    try {
      const id = uniqueTelegramId();
      const user = await onboard(id);
      const sent = tg().sendText(id, `${base}/podcast/episode-1.ogg`);
      const done = await eventually(() => find(id, '✅ Расшифровка готова'), { timeoutMs: 90_000 });
      expect(done.reply_to_message?.message_id).toBe(sent.message!.message_id);
      const transcript = await transcriptOf(user.id);
      expect(transcript).toMatchObject({ status: 'COMPLETED', fileName: 'episode-1.ogg', durationSec: 90 });
      expect(words(transcript.text!)).toEqual(inRussian(short));
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 200 - 2);

      const id2 = uniqueTelegramId();
      const user2 = await onboard(id2);
      tg().sendText(id2, `${base}/player`);
      await eventually(() => find(id2, 'По ссылке веб-страница, а не файл'), { timeoutMs: 60_000 });
      expect(find(id2, 'Ничего не списано')).toBeTruthy();
      expect((await transactions(user2.id)).map((t) => t.kind)).toEqual(['GRANT']);
    } finally {
      await new Promise((resolve) => files.close(resolve));
    }
  });

  it('workers killed mid-way: finished chunks are not transcribed again; the job completes', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.openai.setKnobs({ latencyPerAudioSecondMs: 6 }); // a 10-minute chunk takes ≈ 3.6 s
    try {
      const before = transcriptionCalls().length;
      await tg().users.sendMedia(id, 'voice', await readFile(twentyFive.path), { mimeType: 'audio/ogg' });
      const quote = await eventually(() => find(id, '25 мин'), { timeoutMs: 60_000 });
      tg().pressButton(id, quote.message_id, `tc:${(await transcriptOf(user.id)).id}`);
      const transcript = await transcriptOf(user.id);
      const finishedBefore = await eventually(async () => {
        const s = await statusOf(transcript.id);
        return s.chunksDone.length >= 1 ? s.chunksDone : null;
      }, { timeoutMs: 60_000 });
      await stack.restartWorkers();
      await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 120_000 });
      const ok = transcriptionCalls((r) => r.status === 200).filter((r) => stack.openai.requests.indexOf(r) >= stack.openai.requests.indexOf(transcriptionCalls()[before]!));
      for (const index of finishedBefore) {
        expect(ok.filter((r) => fileOf(r) === `chunk-${String(index).padStart(3, '0')}.ogg`)).toHaveLength(1);
      }
      const done = await stack.prisma.transcript.findUniqueOrThrow({ where: { id: transcript.id } });
      expect(words(done.text!)).toEqual(inRussian(twentyFive));
      expect(await getBalance(stack.prisma, user.id)).toBe(175);
    } finally {
      stack.openai.setKnobs({ latencyPerAudioSecondMs: 0 });
    }
  });

  it('cancel during transcription: the whole price comes back', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.openai.setKnobs({ latencyPerAudioSecondMs: 20 });
    try {
      await tg().users.sendMedia(id, 'voice', await readFile(twentyFive.path), { mimeType: 'audio/ogg' });
      const quote = await eventually(() => find(id, '25 мин'), { timeoutMs: 60_000 });
      const transcript = await transcriptOf(user.id);
      tg().pressButton(id, quote.message_id, `tc:${transcript.id}`);
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 175);
      await eventually(() => find(id, 'Расшифровываю: часть 0/4'));
      tg().sendText(id, '/cancel');
      await eventually(() => find(id, 'Расшифровка отменена. 25 кредитов возвращено'), { timeoutMs: 60_000 }).catch((err: unknown) => {
        throw new Error(`${String(err)}; messages: ${JSON.stringify(msgs(id).map(textOf))}`);
      });
    } finally {
      stack.openai.setKnobs({ latencyPerAudioSecondMs: 0 });
    }
    await eventually(async () => (await getBalance(stack.prisma, user.id)) === 200);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(200);
  });

  it('a quote whose job an operator ended: Confirm says the job is gone, costs nothing, no apology', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    await tg().users.sendMedia(id, 'voice', await readFile(twentyFive.path), { mimeType: 'audio/ogg' });
    const quote = await eventually(() => find(id, '25 мин'), { timeoutMs: 60_000 });
    const transcript = await transcriptOf(user.id);
    // Terminated from the Web UI or the CLI: the row still says PENDING, the workflow is gone.
    await stack.temporal.workflow.getHandle(workflowIds.transcription(transcript.id)).terminate('ended by an operator');
    const press = tg().pressButton(id, quote.message_id, `tc:${transcript.id}`);
    await eventually(() => tg().world.callbackAnswers.get(press.callback_query!.id)?.text === 'Задача не найдена или уже завершена.');
    expect(msgs(id).some((m) => textOf(m).includes('Что-то пошло не так'))).toBe(false);
    expect(await getBalance(stack.prisma, user.id)).toBe(200);
  });

  it('corrupt audio, a renamed text file and a file over the 20 MB download limit: a clear message, nothing charged', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    await tg().users.sendMedia(id, 'voice', randomBytes(30_000), { mimeType: 'audio/ogg', duration: 12 });
    await eventually(() => msgs(id).filter((m) => textOf(m).includes('Не получается прочитать файл как аудио')).length === 1, { timeoutMs: 60_000 });
    await tg().users.sendMedia(id, 'document', Buffer.from('Это не аудио, а текстовый файл.\n'.repeat(200)), { fileName: 'lecture.mp3', mimeType: 'audio/mpeg' });
    await eventually(() => msgs(id).filter((m) => textOf(m).includes('Не получается прочитать файл как аудио')).length === 2, { timeoutMs: 60_000 });
    await tg().users.sendMedia(id, 'document', randomBytes(21 * 1024 * 1024), { fileName: 'big.mp3', mimeType: 'audio/mpeg' });
    await eventually(() => find(id, 'Файл больше 20 МБ'), { timeoutMs: 60_000 });
    // a plain text document is not a recording: no job at all
    await tg().users.sendMedia(id, 'document', Buffer.from('notes'), { fileName: 'notes.txt', mimeType: 'text/plain' });
    await eventually(() => find(id, '/help'));

    const rows = await stack.prisma.transcript.findMany({ where: { userId: user.id } });
    expect(rows.map((r) => [r.status, r.failureReason]).toSorted()).toEqual([
      ['FAILED', 'not_audio'],
      ['FAILED', 'not_audio'],
      ['FAILED', 'too_large'],
    ]);
    expect(msgs(id).filter((m) => textOf(m).includes('Ничего не списано'))).toHaveLength(3);

    // operators find them by search attributes, and the memo says what happened
    const query = `UserId = '${id}' AND JobKind = 'transcription' AND JobStatus = 'rejected'`;
    await eventually(async () => (await stack.temporal.workflow.count(query)).count === 3);
    const voice = await stack.temporal.workflow.getHandle(workflowIds.transcription(rows.find((r) => r.fileName === null)!.id)).describe();
    expect(voice.memo).toMatchObject({ summary: 'voice note 0:12, 0.0 MB', outcome: 'rejected', failureReason: 'not_audio' });
    const renamed = await stack.temporal.workflow.getHandle(workflowIds.transcription(rows.find((r) => r.fileName === 'lecture.mp3')!.id)).describe();
    expect(String(renamed.memo?.summary)).toContain('audio document “lecture.mp3”');
    expect((await transactions(user.id)).map((t) => t.kind)).toEqual(['GRANT']);
    expect(await getBalance(stack.prisma, user.id)).toBe(200);
  });

  it('a job that cannot even start (the recording cannot be read) ends FAILED with a message, uncharged, and frees its slot', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    failAnalysisFor.add(user.id);
    await tg().users.sendMedia(id, 'voice', await readFile(short.path), { mimeType: 'audio/ogg' });
    await eventually(() => find(id, 'Не удалось обработать запись. Ничего не списано'), { timeoutMs: 60_000 });
    const transcript = await transcriptOf(user.id);
    expect(transcript).toMatchObject({ status: 'FAILED', failureReason: 'not_started' });
    expect((await statusOf(transcript.id)).stage).toBe('failed');
    expect((await transactions(user.id)).map((t) => t.kind)).toEqual(['GRANT']);
  });

  it("forged buttons with another user's transcript id are refused", async () => {
    const owner = uniqueTelegramId();
    const ownerUser = await onboard(owner);
    await tg().users.sendMedia(owner, 'voice', await readFile(twentyFive.path), { mimeType: 'audio/ogg' });
    await eventually(() => find(owner, '25 мин'), { timeoutMs: 60_000 });
    const transcript = await transcriptOf(ownerUser.id);

    const intruder = uniqueTelegramId();
    await onboard(intruder);
    tg().sendText(intruder, '/balance');
    const someMessage = await eventually(() => find(intruder, 'Баланс'));
    for (const data of [`tc:${transcript.id}`, `tx:${transcript.id}`]) {
      const answer = tg().pressButton(intruder, someMessage.message_id, data);
      await eventually(() => tg().world.callbackAnswers.get(answer.callback_query!.id)?.text === 'Расшифровка не найдена или уже завершена.');
    }
    expect((await statusOf(transcript.id)).stage).toBe('awaiting_confirmation');
    expect(await getBalance(stack.prisma, ownerUser.id)).toBe(200);
    tg().pressButton(owner, find(owner, '25 мин')!.message_id, `tx:${transcript.id}`);
    await eventually(() => find(owner, 'Расшифровка отменена. Ничего не списано'));
  });
  /**
   * Every Telegram call of a transcription × every class of Telegram answer:
   * the job ends (final, billing closed) and the user pays exactly when the
   * transcript reached the chat.
   */
  describe('matrix: each Telegram call of a transcription × each failure class', () => {
    const classes = TELEGRAM_FAILURE_CLASSES;
    const steps = [
      { step: '"checking" message', method: 'sendMessage', skip: 0 },
      { step: 'progress edit', method: 'editMessageText', skip: 0 },
      { step: 'the transcript itself', method: 'sendMessage', skip: 1 },
    ];
    for (const { step, method, skip } of steps) {
      it(`${step} (${method})`, async () => {
        const results = await Promise.all(
          Object.entries(classes).map(async ([name, failure]) => {
            const id = uniqueTelegramId();
            const user = await onboard(id);
            tg().failNext({ ...failure, method, chatId: id, skip });
            await tg().users.sendMedia(id, 'voice', await readFile(short.path), { mimeType: 'audio/ogg' });
            const transcript = await transcriptOf(user.id);
            const job = stack.temporal.workflow.getHandle(workflowIds.transcription(transcript.id));
            await eventually(async () => (await job.describe()).status.name !== 'RUNNING', { timeoutMs: 90_000 });
            const bill = stack.temporal.workflow.getHandle(`bill-${workflowIds.transcription(transcript.id)}`);
            await eventually(async () => (await bill.describe().then((d) => d.status.name, () => 'NONE')) !== 'RUNNING', { timeoutMs: 30_000 });
            return {
              name,
              workflow: (await job.describe()).status.name,
              row: await stack.prisma.transcript.findUniqueOrThrow({ where: { id: transcript.id } }),
              delivered: msgs(id).some((m) => textOf(m).startsWith('📝 Расшифровка')),
              balance: await getBalance(stack.prisma, user.id),
            };
          }),
        );
        for (const r of results) {
          expect(r.workflow, r.name).toBe('COMPLETED');
          expect(['COMPLETED', 'CANCELLED', 'FAILED'], r.name).toContain(r.row.status);
          expect(r.row.status === 'COMPLETED', r.name).toBe(r.delivered);
          expect(r.balance, r.name).toBe(200 - (r.delivered ? 2 : 0));
        }
        for (const name of ['rateLimited', 'down', 'refused'].filter((n) => !(n === 'refused' && skip === 1))) {
          expect(results.find((r) => r.name === name)!.delivered, name).toBe(true);
        }
      }, 150_000);
    }
  });
});
