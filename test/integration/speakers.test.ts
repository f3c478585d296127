import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptSegment } from '../../lib/transcript';
import { uniqueTelegramId } from '../helpers/config';
import { makeSpeechAudio, type SpeechAudio } from '../helpers/speech-audio';
import { eventually, startStack, type Stack } from '../helpers/stack';

const TRANSCRIBE_PATH = '/v1/audio/transcriptions';
const DIARIZE_MODEL = 'gpt-4o-transcribe-diarize';

/**
 * Speaker labels (issue 19): with OPENAI_DIARIZE_MODEL set, a recording's
 * chunks are transcribed by the diarizing model, which labels speakers per
 * request ("A", "B"); the first chunk goes alone and its speakers' clips go
 * with every other chunk as known speakers, so "Спикер 1" is the same voice
 * in the whole recording. The stand-in tells voices apart by where their
 * tones sit in their band (test/helpers/speech-audio.ts `voices`).
 */
describe('speaker labels, consistent across chunks', () => {
  let stack: Stack;
  let dir: string;
  let dialogue: SpeechAudio;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisha-speakers-test-'));
    stack = await startStack({
      env: { WELCOME_CREDITS: '50', OPENAI_DIARIZE_MODEL: DIARIZE_MODEL, TRANSCRIPTION_CHUNK_SECONDS: '70', TRANSCRIPTION_PARALLEL_CHUNKS: '2' },
    });
    dialogue = await makeSpeechAudio({ seconds: 180, dir, seed: 41, voices: 2 });
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const textOf = (m: { text?: string; caption?: string }) => m.text ?? m.caption ?? '';
  const find = (id: number, part: string) => msgs(id).find((m) => textOf(m).includes(part));
  const field = (body: unknown, name: string) => (body as Record<string, unknown>)[name];

  async function onboard(id: number) {
    tg().sendText(id, '/start');
    await eventually(() => find(id, 'Привет'));
    return stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
  }

  /** Who really speaks in [start, end]: the recording's own speaker of the words there (word i starts where gap i−1 ends). */
  const speakerIn = (s: { start: number; end: number }) => {
    const starts = [0.5, ...dialogue.silences.map((g) => g.end)];
    const voices = new Set(starts.flatMap((t, i) => (t >= s.start - 0.15 && t <= s.end ? [dialogue.speakers[i]!] : [])));
    expect(voices.size, `one voice in ${s.start}–${s.end}`).toBe(1);
    return [...voices][0]!;
  };

  it('a 3-minute dialogue in chunks of ≤ 70 s: two speakers, each keeping its number in every chunk; "Спикер 1: …" turns in the message', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    const before = stack.openai.requests.length;
    await tg().users.sendMedia(id, 'audio', await readFile(dialogue.path), { mimeType: 'audio/ogg', fileName: 'dialogue.ogg' });
    const done = await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 120_000 });
    expect(textOf(done)).toContain('Списано 3');

    const transcript = await stack.prisma.transcript.findFirstOrThrow({ where: { userId: user.id } });
    const chunks = transcript.chunkCount!;
    expect(chunks).toBeGreaterThanOrEqual(3);
    const segments = transcript.segments as unknown as TranscriptSegment[];
    expect(segments.length).toBeGreaterThan(10);
    // every segment is labelled, and a voice has one number across the whole recording (every chunk)
    const numberOf = new Map<number, number>();
    for (const s of segments) {
      expect(s.speaker).toBeDefined();
      const voice = speakerIn(s);
      if (!numberOf.has(voice)) numberOf.set(voice, s.speaker!);
      expect(s.speaker, `segment at ${s.start}s`).toBe(numberOf.get(voice));
    }
    expect([...numberOf.values()].toSorted()).toEqual([1, 2]);
    expect(segments.some((s) => s.start > 140)).toBe(true); // the last chunk's segments are among them

    // the requests: the first chunk alone, without references; the others with both speakers' clips (WAV)
    const calls = stack.openai.requests.slice(before).filter((r) => r.path === TRANSCRIBE_PATH);
    expect(calls.map((c) => field(c.body, 'model'))).toEqual(Array(chunks).fill(DIARIZE_MODEL));
    expect(calls.map((c) => field(c.body, 'response_format'))).toEqual(Array(chunks).fill('diarized_json'));
    expect(field(calls[0]!.body, 'known_speaker_names[]')).toBeUndefined();
    for (const c of calls.slice(1)) {
      expect(field(c.body, 'known_speaker_names[]')).toEqual(['speaker_1', 'speaker_2']);
      expect(field(c.body, 'known_speaker_references[]')).toEqual([expect.stringMatching(/^data:audio\/wav;base64,/), expect.stringMatching(/^data:audio\/wav;base64,/)]);
    }

    // what the user reads: turns with names
    const message = textOf(await eventually(() => find(id, '📝 Расшифровка')));
    expect(message).toMatch(/^Спикер 1: /m);
    expect(message).toMatch(/^Спикер 2: /m);
    expect(transcript.text).toMatch(/^Спикер [12]: /);
  });

  it('a user who turned speaker labels off in /profile gets a plain transcript', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    tg().sendText(id, '/profile');
    const profile = await eventually(() => find(id, '👤 Профиль'));
    const toggle = profile.reply_markup!.inline_keyboard.flat().find((b) => 'callback_data' in b && b.callback_data.startsWith('sl:')) as { text: string; callback_data: string };
    expect(toggle).toEqual({ text: '🗣 Спикеры: вкл', callback_data: 'sl:off' });
    const answer = tg().pressButton(id, profile.message_id, toggle.callback_data);
    expect((await eventually(() => tg().world.callbackAnswers.get(answer.callback_query!.id))).text).toContain('без спикеров');
    await eventually(() => (tg().world.find(id, profile.message_id)!.reply_markup!.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === 'sl:on') ? true : null));
    expect((await stack.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).speakerLabels).toBe(false);

    const before = stack.openai.requests.length;
    await tg().users.sendMedia(id, 'audio', await readFile(dialogue.path), { mimeType: 'audio/ogg', fileName: 'dialogue.ogg' });
    await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 120_000 });
    const transcript = await stack.prisma.transcript.findFirstOrThrow({ where: { userId: user.id } });
    expect((transcript.segments as unknown as TranscriptSegment[]).every((s) => s.speaker === undefined)).toBe(true);
    expect(transcript.text).not.toContain('Спикер');
    const models = stack.openai.requests.slice(before).filter((r) => r.path === TRANSCRIBE_PATH).map((c) => field(c.body, 'model'));
    expect(models.length).toBe(transcript.chunkCount);
    expect(models.every((m) => m !== DIARIZE_MODEL)).toBe(true);
  });
});
