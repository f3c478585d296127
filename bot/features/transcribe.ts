import { createHash } from 'node:crypto';
import { Composer, InlineKeyboard } from 'grammy';
import { signUploadLink, UPLOAD_LINK_TTL_SECONDS } from '../../lib/upload-auth';
import { UPLOAD_PAGE_PATH } from '../uploads';
import { callbacks } from '../../vocabulary/callback-data';
import { observedTranscriptionRatio } from '../../lib/db/estimates';
import { findUserByTelegramId } from '../../lib/db/users';
import { formatDuration } from '../../vocabulary/duration';
import { parseLink } from '../../lib/link-import';
import { seededUuid } from '../../lib/seeded-uuid';
import { workflowIds } from '../../vocabulary/ids';
import { cancelTranscriptionSignal, confirmTranscriptionSignal, TRANSCRIPTION_REVISION, type TranscriptionInput } from '../../workflows/transcription-api';
import type { transcriptionWorkflow } from '../../workflows/transcription';
import type { AppContext, BotServices } from '../context';
import type { Language } from '../../vocabulary/languages';
import { withinJobLimit } from '../job-limits';
import { startUserWorkflow } from '../start-workflow';

/**
 * Transcription: any voice note, audio file, video, video note or audio document
 * starts `tr-<id>`. The workflow downloads, checks, quotes (long files),
 * charges and delivers; the bot only starts it and forwards the buttons.
 */
export const transcribeFeature = new Composer<AppContext>();

/** What Telegram's cloud Bot API serves to bots; a local Bot API server (TELEGRAM_API_ROOT) decides for itself. */
const CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024;
const CLOUD_API_ROOT = 'https://api.telegram.org';
const AUDIO_DOCUMENT = /^(audio|video)\//;
const AUDIO_EXTENSION = /\.(mp3|m4a|m4b|aac|ogg|oga|opus|wav|flac|webm|mp4|mpeg|mpga|wma|amr|mkv|mov)$/i;
/** How long a quote waits for its confirm button. */
const CONFIRM_TIMEOUT_SECONDS = 24 * 3600;

transcribeFeature.on(['message:voice', 'message:audio', 'message:video_note', 'message:video', 'message:document'], async (ctx, next) => {
  const m = ctx.message;
  const doc = m.document;
  if (doc && !AUDIO_DOCUMENT.test(doc.mime_type ?? '') && !AUDIO_EXTENSION.test(doc.file_name ?? '')) return next();
  const file = m.voice ?? m.audio ?? m.video_note ?? m.video ?? doc!;
  const { config } = ctx.services;
  const duration = 'duration' in file ? file.duration : undefined;
  const maxSeconds = config.transcription.maxMinutes * 60;
  if (file.file_size && file.file_size > CLOUD_DOWNLOAD_LIMIT && config.telegram.apiRoot === CLOUD_API_ROOT) {
    // Bots may download 20 MB from Telegram's cloud: larger files go through the upload page.
    return replyUploadOffer(ctx, ctx.t('tr-rejected', { reason: 'too_large', max: String(config.transcription.maxMinutes) }));
  }
  if (duration && duration > maxSeconds) return ctx.reply(ctx.t('tr-rejected', { reason: 'too_long', max: String(config.transcription.maxMinutes) }));
  const kind = m.voice ? 'voice note' : m.video_note ? 'video note' : m.video ? 'video' : m.audio ? 'audio' : 'audio document';
  const fileName = 'file_name' in file ? file.file_name : undefined;
  return startTranscription(ctx, {
    fileId: file.file_id,
    fileUniqueId: file.file_unique_id,
    fileName,
    mimeType: 'mime_type' in file ? file.mime_type : undefined,
    sizeBytes: file.file_size,
    summary: `${kind}${duration ? ` ${formatDuration(duration)}` : ''}${fileName ? ` “${fileName}”` : ''}${file.file_size ? `, ${(file.file_size / 1_048_576).toFixed(1)} MB` : ''}`,
  });
});

/**
 * A message that is only an http(s) link: the recording is fetched from there
 * by the workflow's first activity (public addresses only, size and time
 * limits: lib/link-import.ts), then the same quote → confirm → charge path.
 */
transcribeFeature.on('message:text', async (ctx, next) => {
  const url = ctx.session.step ? null : parseLink(ctx.message.text);
  if (!url || /\s/.test(ctx.message.text.trim())) return next();
  const name = decodeURIComponent(url.pathname.split('/').pop() ?? '').slice(0, 120) || undefined;
  return startTranscription(ctx, {
    fileId: url.toString(),
    fileUniqueId: `link:${createHash('sha256').update(url.toString()).digest('hex').slice(0, 32)}`,
    fileName: name,
    url: url.toString(),
    summary: `link ${url.host}${name ? ` “${name}”` : ''}`,
  });
});

/**
 * The upload page for a file of any size (bot/uploads.ts): a Mini App button,
 * which Telegram opens with signed initData, where Telegram allows it (an
 * https PUBLIC_BASE_URL, as it requires for Mini Apps; the sandbox does not
 * care), and a one-time link for a browser outside Telegram.
 */
async function replyUploadOffer(ctx: AppContext & { from: { id: number } }, lead?: string) {
  const { config } = ctx.services;
  const base = config.http.publicBaseUrl;
  const link = `${base}${UPLOAD_PAGE_PATH}?t=${signUploadLink(ctx.from.id, config.telegram.token)}`;
  const miniApp = base.startsWith('https://') || config.telegram.apiRoot !== CLOUD_API_ROOT;
  const mb = config.transcription.maxUploadMb;
  const [gb, mbUnit] = ctx.language === 'ru' ? ['ГБ', 'МБ'] : ['GB', 'MB'];
  const max = mb >= 1024 ? `${+(mb / 1024).toFixed(1)} ${gb}` : `${mb} ${mbUnit}`;
  const text = [lead, ctx.t('upload-offer', { max, link, hours: UPLOAD_LINK_TTL_SECONDS / 3600 })].filter(Boolean).join('\n\n');
  return ctx.reply(text, miniApp ? { reply_markup: new InlineKeyboard().webApp(ctx.t('button-upload', { max }), `${base}${UPLOAD_PAGE_PATH}`) } : {});
}

transcribeFeature.chatType('private').command('upload', (ctx) => replyUploadOffer(ctx));

/** Starts `tr-<id>` for this message (a redelivered update finds the job it started). */
async function startTranscription(
  ctx: AppContext & { chat: { id: number }; from: { id: number }; message: { message_id: number } },
  source: Pick<TranscriptionInput, 'fileId' | 'fileUniqueId' | 'fileName' | 'mimeType' | 'sizeBytes' | 'url'> & { summary: string },
) {
  const { prisma } = ctx.services;
  const user = await findUserByTelegramId(prisma, ctx.from.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const transcriptId = seededUuid(`transcript:${ctx.chat.id}:${ctx.message.message_id}`);
  const existing = await prisma.transcript.findUnique({ where: { id: transcriptId }, select: { id: true } });
  if (!existing && !(await withinJobLimit(ctx, user.id, 'transcription'))) return;
  const { summary, ...file } = source;
  const input = await transcriptionInput(ctx.services, { ...user, telegramId: ctx.from.id }, { transcriptId, chatId: ctx.chat.id, replyTo: ctx.message.message_id, ...file });
  await startUserWorkflow<typeof transcriptionWorkflow>(ctx, 'transcriptionWorkflow', {
    workflowId: workflowIds.transcription(transcriptId),
    kind: 'transcription',
    summary,
    args: [input],
  });
}

/** The workflow's input for one recording of this user: tariffs, limits and the user's settings as they are now. */
export async function transcriptionInput(
  { config, prisma }: Pick<BotServices, 'config' | 'prisma'>,
  user: { id: number; telegramId: number; language: Language; speakerLabels: boolean },
  job: Pick<TranscriptionInput, 'transcriptId' | 'chatId' | 'replyTo' | 'fileId' | 'fileUniqueId' | 'fileName' | 'mimeType' | 'sizeBytes' | 'url'>,
): Promise<TranscriptionInput> {
  return {
    ...job,
    userId: user.id,
    telegramId: user.telegramId,
    language: user.language,
    unitPrice: config.tariffs.transcriptionMinute,
    maxSeconds: config.transcription.maxMinutes * 60,
    confirmAboveSeconds: config.transcription.confirmMinutes * 60,
    confirmTimeoutSeconds: CONFIRM_TIMEOUT_SECONDS,
    parallelChunks: config.transcription.parallelChunks,
    expectedRatio: await observedTranscriptionRatio(prisma),
    summaryPrice: config.tariffs.transcriptSummary,
    ...(config.openai.diarizeModel && user.speakerLabels ? { diarize: true } : {}),
    revision: TRANSCRIPTION_REVISION,
  };
}

/** Buttons carry the transcript id: only the user's own transcript is signalled, whatever the data says. */
async function ownTranscript(ctx: AppContext, id: string | undefined) {
  const user = ctx.from ? await findUserByTelegramId(ctx.services.prisma, ctx.from.id) : null;
  if (!user || !id || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  return ctx.services.prisma.transcript.findFirst({ where: { id, userId: user.id }, select: { id: true, status: true, durationSec: true } });
}

transcribeFeature.callbackQuery(callbacks.transcriptConfirm.filter, async (ctx) => {
  const transcript = await ownTranscript(ctx, callbacks.transcriptConfirm.unpack(ctx.callbackQuery.data)?.id);
  if (!transcript || transcript.status !== 'PENDING') return ctx.answerCallbackQuery({ text: ctx.t('tr-not-found') });
  await ctx.services.temporal.workflow.getHandle(workflowIds.transcription(transcript.id)).signal(confirmTranscriptionSignal);
  await ctx.answerCallbackQuery({ text: ctx.t('tr-confirmed', { duration: formatDuration(transcript.durationSec ?? 0) }) });
});

transcribeFeature.callbackQuery(callbacks.transcriptCancel.filter, async (ctx) => {
  const transcript = await ownTranscript(ctx, callbacks.transcriptCancel.unpack(ctx.callbackQuery.data)?.id);
  if (!transcript || (transcript.status !== 'PENDING' && transcript.status !== 'RUNNING')) return ctx.answerCallbackQuery({ text: ctx.t('tr-not-found') });
  await ctx.services.temporal.workflow.getHandle(workflowIds.transcription(transcript.id)).signal(cancelTranscriptionSignal);
  await ctx.answerCallbackQuery({ text: ctx.t('cancelled') });
});

