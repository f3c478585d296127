import { randomUUID } from 'node:crypto';
import { Composer, GrammyError, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { expectedGenerationSeconds } from '../../lib/db/estimates';
import { findUserByTelegramId } from '../../lib/db/users';
import { falWebhookUrl } from '../../workflows/fal-api';
import type { generationWorkflow } from '../../workflows/generation';
import { ASPECT_RATIOS, GENERATION_REVISION, type GenerationInput, type GenerationMode } from '../../workflows/generation-api';
import { workflowIds } from '../../vocabulary/ids';
import type { AppContext } from '../context';
import type { GenerationDraft } from '../session';
import { withinJobLimit } from '../job-limits';
import { startUserWorkflow } from '../start-workflow';
import { canPay, onContinue } from './waiting';

/** `/generate` (main avatar), `/imagen` (Imagen 4), "like this photo"; options, then the workflow does everything. */
export const generateFeature = new Composer<AppContext>();

const PROMPT_LIMIT = 4000;

const unitPrice = (ctx: AppContext, mode: GenerationMode) => (mode === 'AVATAR' ? ctx.services.config.tariffs.avatarImage : ctx.services.config.tariffs.imagenImage);

function optionsView(ctx: AppContext, d: GenerationDraft) {
  const price = unitPrice(ctx, d.mode);
  const kb = new InlineKeyboard();
  ASPECT_RATIOS.forEach((r, i) => kb.text(`${d.aspectRatio === r ? '✓ ' : ''}${r}`, callbacks.genAspect.pack({ r: i })));
  kb.row();
  for (let n = 1; n <= 4; n++) kb.text(`${d.numImages === n ? '✓ ' : ''}${n}`, callbacks.genCount.pack({ n }));
  const offer = { d: d.id ?? 'none', n: d.numImages, r: Math.max(0, ASPECT_RATIOS.indexOf(d.aspectRatio)), total: price * d.numImages };
  kb.row().text(ctx.t('gen-go-button', { total: offer.total }), callbacks.genGo.pack(offer));
  const text = ctx.t('gen-options', {
    mode: d.mode === 'AVATAR' ? 'avatar' : 'imagen',
    avatar: d.avatarName ?? '',
    prompt: d.prompt.slice(0, 300) || '—',
    price,
    count: d.numImages,
    total: price * d.numImages,
  });
  return { text, kb };
}

/** Validates the request and shows the options with the price; nothing is charged before "Generate". */
async function openOptions(ctx: AppContext, mode: GenerationMode, prompt: string, referenceFileId?: string) {
  const text = prompt.trim();
  if (!text && !referenceFileId) return ctx.reply(ctx.t('gen-need-prompt'));
  if (text.length > PROMPT_LIMIT) return ctx.reply(ctx.t('gen-prompt-too-long', { max: PROMPT_LIMIT }));
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from!.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const draft: Omit<GenerationDraft, 'id'> = { mode, prompt: text, aspectRatio: '1:1', numImages: 1, referenceFileId };
  if (mode === 'AVATAR') {
    const avatar = await ctx.services.prisma.avatar.findFirst({
      where: { userId: user.id, isMain: true, status: 'COMPLETED', deletedAt: null },
      select: { id: true, name: true },
    });
    if (!avatar) return ctx.reply(ctx.t('gen-no-avatar'));
    Object.assign(draft, { avatarId: avatar.id, avatarName: avatar.name });
  }
  return offer(ctx, draft);
}

/** A draft becomes the user's offer: kept in the session, shown with its price and a Create button bound to it. */
export function offer(ctx: AppContext, draft: Omit<GenerationDraft, 'id'>) {
  const requestMessageId = draft.requestMessageId ?? ctx.message?.message_id ?? ctx.callbackQuery?.message?.message_id;
  const bound: GenerationDraft = { ...draft, id: randomUUID().slice(0, 8), requestMessageId };
  ctx.session = { ...ctx.session, generation: bound };
  const view = optionsView(ctx, bound);
  return ctx.reply(view.text, { reply_markup: view.kb });
}

/** A photo whose caption is /generate or /imagen: "like this photo". */
generateFeature.on('message:photo', async (ctx, next) => {
  const m = /^\/(generate|imagen)(?:@\w+)?\s*([\s\S]*)$/.exec(ctx.message.caption ?? '');
  if (!m) return next();
  return openOptions(ctx, m[1] === 'generate' ? 'AVATAR' : 'IMAGEN4', m[2] ?? '', ctx.message.photo.at(-1)!.file_id);
});

/**
 * Waits for a prompt: the next text message becomes the prompt of `mode`
 * (a command without its argument, the "Generate" buttons, the main menu).
 * The avatar mode needs a ready main avatar first.
 */
export async function askForPrompt(ctx: AppContext, mode: GenerationMode, referenceFileId?: string) {
  if (mode === 'AVATAR') {
    const user = await findUserByTelegramId(ctx.services.prisma, ctx.from!.id);
    if (!user) return ctx.reply(ctx.t('balance-no-user'));
    const avatar = await ctx.services.prisma.avatar.findFirst({ where: { userId: user.id, isMain: true, status: 'COMPLETED', deletedAt: null }, select: { name: true } });
    if (!avatar) return ctx.reply(ctx.t('gen-no-avatar'));
  }
  ctx.session = { step: 'gen-prompt', promptMode: mode, promptReference: referenceFileId };
  return ctx.reply(ctx.t(referenceFileId ? 'gen-ask-prompt-reference' : 'gen-ask-prompt', { mode: mode === 'AVATAR' ? 'avatar' : 'imagen' }));
}

const withPrompt = (mode: GenerationMode) => (ctx: AppContext & { match: string }) =>
  ctx.match.trim() ? openOptions(ctx, mode, ctx.match) : askForPrompt(ctx, mode);
generateFeature.command('generate', (ctx) => withPrompt('AVATAR')(ctx as AppContext & { match: string }));
generateFeature.command('imagen', (ctx) => withPrompt('IMAGEN4')(ctx as AppContext & { match: string }));

/** The "Generate" button under a ready avatar: ask for the prompt, then the options. */
generateFeature.callbackQuery(callbacks.genAsk.filter, async (ctx) => {
  await ctx.answerCallbackQuery();
  return askForPrompt(ctx, 'AVATAR');
});
generateFeature.on('message:text', async (ctx, next) => {
  if (ctx.session.step !== 'gen-prompt' || ctx.message.text.startsWith('/')) return next();
  const { promptMode = 'AVATAR', promptReference } = ctx.session;
  ctx.session = {};
  return openOptions(ctx, promptMode, ctx.message.text, promptReference);
});

/**
 * A changed option is kept only once the message shows it: if Telegram refuses
 * the edit (429, a message too old to edit…), the choice is undone and the user
 * told, so what the message says stays what Create charges.
 */
async function updateOptions(ctx: AppContext, patch: Partial<GenerationDraft>) {
  const draft = ctx.session.generation;
  if (!draft || !isDraftMessage(ctx, draft)) return ctx.answerCallbackQuery({ text: ctx.t('gen-offer-stale') });
  const next = { ...draft, ...patch };
  const view = optionsView(ctx, next);
  const shown = await ctx.editMessageText(view.text, { reply_markup: view.kb }).then(
    () => true,
    (err: unknown) => (err instanceof GrammyError && /message is not modified/.test(err.description)) || (ctx.logger.warn({ err }, 'options not updated'), false),
  );
  if (!shown) return ctx.answerCallbackQuery({ text: ctx.t('gen-options-not-updated'), show_alert: true });
  ctx.session = { ...ctx.session, generation: next };
  await ctx.answerCallbackQuery();
}

/** Whether the pressed message is this draft's options message (its Create button names the draft). */
function isDraftMessage(ctx: AppContext, draft: GenerationDraft): boolean {
  const buttons = ctx.callbackQuery?.message?.reply_markup?.inline_keyboard.flat() ?? [];
  return buttons.some((b) => 'callback_data' in b && callbacks.genGo.unpack(b.callback_data)?.d === (draft.id ?? 'none'));
}

generateFeature.callbackQuery(callbacks.genAspect.filter, (ctx) => {
  const r = callbacks.genAspect.unpack(ctx.callbackQuery.data)?.r;
  return updateOptions(ctx, r !== undefined && ASPECT_RATIOS[r] ? { aspectRatio: ASPECT_RATIOS[r] } : {});
});
generateFeature.callbackQuery(callbacks.genCount.filter, (ctx) => {
  const n = callbacks.genCount.unpack(ctx.callbackQuery.data)?.n;
  return updateOptions(ctx, n && n >= 1 && n <= 4 ? { numImages: n } : {});
});

/**
 * "Create": starts exactly the offer on the pressed button (its draft, count,
 * aspect ratio and total), never "whatever the session says now". A button of
 * another draft, an old button or a total the tariff no longer gives is
 * refused with a fresh offer. Then the avatar is re-checked and `gen-<id>` starts.
 */
generateFeature.callbackQuery(callbacks.genGo.filter, async (ctx) => {
  const draft = ctx.session.generation;
  const offer = callbacks.genGo.unpack(ctx.callbackQuery.data);
  if (!draft) return ctx.answerCallbackQuery({ text: ctx.t('gen-offer-stale') });
  const aspectRatio = offer ? ASPECT_RATIOS[offer.r] : undefined;
  const valid = offer && aspectRatio && offer.d === (draft.id ?? 'none') && offer.n >= 1 && offer.n <= 4 && offer.total === unitPrice(ctx, draft.mode) * offer.n;
  if (!valid) {
    await ctx.answerCallbackQuery({ text: ctx.t('gen-offer-changed'), show_alert: true });
    const view = optionsView(ctx, draft);
    return ctx.reply(view.text, { reply_markup: view.kb });
  }
  await ctx.answerCallbackQuery();
  await showChosen(ctx, { ...draft, numImages: offer.n, aspectRatio }, offer.total);
  return startGeneration(ctx, { ...draft, numImages: offer.n, aspectRatio });
});

/** After Create, the options message keeps what was chosen (mode, prompt, ratio, count, total) and loses its buttons. */
async function showChosen(ctx: AppContext, d: GenerationDraft, total: number) {
  const text = ctx.t('gen-options-chosen', {
    mode: d.mode === 'AVATAR' ? 'avatar' : 'imagen',
    avatar: d.avatarName ?? '',
    prompt: d.prompt.slice(0, 300) || '—',
    ratio: d.aspectRatio,
    count: d.numImages,
    total,
  });
  await ctx.editMessageText(text, { reply_markup: undefined }).catch(() => ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined));
}

export async function startGeneration(ctx: AppContext, draft: GenerationDraft) {
  const { config, prisma } = ctx.services;
  const user = await findUserByTelegramId(prisma, ctx.from!.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  let avatar: { id: string; loraUrl: string | null; triggerPhrase: string } | null = null;
  if (draft.mode === 'AVATAR') {
    avatar = draft.avatarId
      ? await prisma.avatar.findFirst({ where: { id: draft.avatarId, userId: user.id, status: 'COMPLETED', deletedAt: null }, select: { id: true, loraUrl: true, triggerPhrase: true } })
      : null;
    if (!avatar?.loraUrl) return ctx.reply(ctx.t('gen-no-avatar'));
  }
  if (!(await withinJobLimit(ctx, user.id, 'generation'))) return;
  if (!(await canPay(ctx, { kind: 'generation', draft, price: unitPrice(ctx, draft.mode) * draft.numImages }))) return;
  const generationId = randomUUID();
  const workflowId = workflowIds.generation(generationId);
  const input: GenerationInput = {
    generationId,
    userId: user.id,
    telegramId: ctx.from!.id,
    chatId: ctx.chat!.id,
    language: ctx.language,
    mode: draft.mode,
    avatarId: avatar?.id,
    loraUrl: avatar?.loraUrl ?? undefined,
    triggerPhrase: avatar?.triggerPhrase,
    prompt: draft.prompt,
    referenceFileId: draft.referenceFileId,
    aspectRatio: draft.aspectRatio,
    numImages: draft.numImages,
    unitPrice: unitPrice(ctx, draft.mode),
    pollSeconds: config.fal.pollIntervalSeconds,
    deadlineSeconds: config.generation.deadlineMinutes * 60,
    qualityThreshold: config.generation.qualityThreshold,
    webhookUrl: falWebhookUrl(config.http.publicBaseUrl, workflowId),
    replyTo: draft.requestMessageId,
    expectedSeconds: await expectedGenerationSeconds(prisma),
    revision: GENERATION_REVISION,
  };
  ctx.session = { ...ctx.session, generation: undefined };
  await startUserWorkflow<typeof generationWorkflow>(ctx, 'generationWorkflow', {
    workflowId,
    kind: 'generation',
    summary: `${draft.mode === 'AVATAR' ? `avatar “${draft.avatarName ?? 'main'}”` : 'Imagen 4'} × ${draft.numImages} ${draft.aspectRatio}: ${draft.prompt.replace(/\s+/g, ' ').slice(0, 100)}${draft.referenceFileId ? ' (+ reference photo)' : ''}`,
    args: [input],
  });
}

/** After a top-up: the generation that lacked credits is offered again (its price on Create), nothing starts unseen. */
onContinue('generation', (ctx, waiting) => {
  const { id: _old, ...draft } = waiting.draft;
  return offer(ctx, draft);
});

/** Text sent outside any flow, offered as a prompt (bot/features/unhandled.ts): its options and price, as for /imagen. */
generateFeature.callbackQuery(callbacks.promptUse.filter, async (ctx) => {
  const m = callbacks.promptUse.unpack(ctx.callbackQuery.data)?.m;
  const text = ctx.session.loose?.text;
  if (!text || (m !== 'imagen' && m !== 'avatar')) return ctx.answerCallbackQuery({ text: ctx.t('gen-offer-stale') });
  await ctx.answerCallbackQuery();
  ctx.session = { ...ctx.session, loose: undefined };
  return openOptions(ctx, m === 'imagen' ? 'IMAGEN4' : 'AVATAR', text);
});
