import { Composer, InlineKeyboard, InputFile } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { findOwnTranscript, recentTranscripts } from '../../lib/db/gallery';
import { findUserByTelegramId } from '../../lib/db/users';
import { formatDuration } from '../../vocabulary/duration';
import { formatDate } from '../../lib/time-zone';
import { toVtt, type TranscriptSegment } from '../../lib/transcript';
import type { AppContext } from '../context';

/**
 * "🎧 Transcripts" in the gallery: the user's recent finished transcripts
 * (date, duration, first words) with buttons that send their .txt / .srt
 * again from MinIO (bucket `transcripts`) and .vtt made from the stored
 * segments (so older transcripts have it too). A file button names a transcript
 * id, looked up among this user's transcripts only.
 */
export const galleryTranscriptsFeature = new Composer<AppContext>();

const FORMATS = ['txt', 'srt', 'vtt'] as const;
const FIRST_WORDS_CHARS = 60;

function firstWords(text: string | null): string {
  const chars = Array.from((text ?? '').replace(/\s+/g, ' ').trim());
  if (chars.length <= FIRST_WORDS_CHARS) return chars.join('');
  const cut = chars.slice(0, FIRST_WORDS_CHARS).join('');
  return `${cut.slice(0, cut.lastIndexOf(' ') > 20 ? cut.lastIndexOf(' ') : cut.length).trimEnd()}…`;
}

/** The file name the user gets: the recording's name without its extension, else "transcript-<date>". */
function baseName(t: { fileName: string | null; createdAt: Date }, timeZone: string): string {
  const fromFile = (t.fileName ?? '').replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}_ -]+/gu, '_').slice(0, 60);
  return fromFile || `transcript-${formatDate(t.createdAt, timeZone)}`;
}

galleryTranscriptsFeature.callbackQuery(callbacks.galleryTranscripts.filter, async (ctx) => {
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  if (!user) return ctx.answerCallbackQuery({ text: ctx.t('balance-no-user') });
  const list = await recentTranscripts(ctx.services.prisma, user.id);
  if (!list.length) {
    await ctx.reply(ctx.t('gallery-transcripts-empty'));
    return ctx.answerCallbackQuery();
  }
  const price = ctx.services.config.tariffs.transcriptSummary;
  const made = await ctx.services.prisma.transcriptSummary.findMany({ where: { transcriptId: { in: list.map((t) => t.id) }, status: 'COMPLETED' }, select: { transcriptId: true } });
  const summarized = new Set(made.map((s) => s.transcriptId));
  const lines = [ctx.t('gallery-transcripts-title'), ''];
  const kb = new InlineKeyboard();
  for (const [i, tr] of list.entries()) {
    const n = String(i + 1);
    lines.push(ctx.t('gallery-transcript-item', { n, date: formatDate(tr.createdAt, ctx.timeZone), duration: formatDuration(tr.durationSec ?? 0), words: firstWords(tr.text) }));
    if (tr.txtObjectKey) kb.text(ctx.t('gallery-transcript-txt', { n }), callbacks.transcriptFile.pack({ id: tr.id, f: 'txt' }));
    if (tr.srtObjectKey) {
      kb.text(ctx.t('gallery-transcript-srt', { n }), callbacks.transcriptFile.pack({ id: tr.id, f: 'srt' }));
      kb.text(ctx.t('gallery-transcript-vtt', { n }), callbacks.transcriptFile.pack({ id: tr.id, f: 'vtt' }));
    }
    // "📋 Кратко" here too (bot/features/summary.ts): a summary already made comes again for free.
    // The price is on the button unless the summary is made already.
    if (tr.text?.trim()) kb.text(ctx.t('gallery-transcript-summary', { n, price: summarized.has(tr.id) ? 0 : price }), callbacks.transcriptSummary.pack({ id: tr.id, p: price }));
    kb.row();
  }
  await ctx.reply(lines.join('\n').slice(0, 4096), { reply_markup: kb });
  await ctx.answerCallbackQuery();
});

galleryTranscriptsFeature.callbackQuery(callbacks.transcriptFile.filter, async (ctx) => {
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  const data = callbacks.transcriptFile.unpack(ctx.callbackQuery.data);
  const format = FORMATS.find((f) => f === data?.f);
  const transcript = user && data && format ? await findOwnTranscript(ctx.services.prisma, user.id, data.id) : null;
  const key = format === 'txt' ? transcript?.txtObjectKey : transcript?.srtObjectKey;
  if (!transcript || !key) return ctx.answerCallbackQuery({ text: ctx.t('transcript-file-not-found') });
  const bytes = format === 'vtt' ? Buffer.from(toVtt((transcript.segments ?? []) as unknown as TranscriptSegment[], (n) => ctx.t('tr-speaker', { n }))) : await ctx.services.storage.get('transcripts', key);
  await ctx.replyWithDocument(new InputFile(bytes, `${baseName(transcript, ctx.timeZone)}.${format}`));
  await ctx.answerCallbackQuery();
});
