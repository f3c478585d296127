import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type SignalDefinition } from '@temporalio/client';
import { Composer, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { replyTo } from '../../lib/telegram-reply';
import { findOwnAvatar } from '../../lib/db/avatars';
import { expectedTrainingSeconds } from '../../lib/db/estimates';
import { findUserByTelegramId } from '../../lib/db/users';
import { AVATAR_TRAINING_REVISION, cancelAvatarSignal, photoAddedSignal, startTrainingSignal, type AvatarTrainingInput } from '../../workflows/avatar-api';
import type { avatarTrainingWorkflow } from '../../workflows/avatar-training';
import { falWebhookUrl } from '../../workflows/fal-api';
import { workflowIds } from '../../vocabulary/ids';
import type { AppContext } from '../context';
import { withinJobLimit } from '../job-limits';
import { startUserWorkflow } from '../start-workflow';
import { askForPrompt } from './generate';
import { balanceOf, canPay, onContinue } from './waiting';

/** Creating an avatar: type → name → photos → start. The bot only starts the workflow and signals it. */
export const avatarFeature = new Composer<AppContext>();

const IMAGE_DOCUMENT = /^image\//;

/** The price and the balance come first, before any photo: a low balance is offered a top-up right here. */
avatarFeature.callbackQuery(callbacks.avatarCreate.filter, async (ctx) => {
  await ctx.answerCallbackQuery();
  return showAvatarTypes(ctx);
});

async function showAvatarTypes(ctx: AppContext) {
  const price = ctx.services.config.tariffs.avatarTraining;
  const balance = (await balanceOf(ctx)) ?? 0;
  const keyboard = new InlineKeyboard()
    .text(ctx.t('avatar-type-portrait'), callbacks.avatarType.pack({ type: 'portrait' }))
    .text(ctx.t('avatar-type-style'), callbacks.avatarType.pack({ type: 'style' }));
  if (balance < price) keyboard.row().text(ctx.t('balance-topup-button'), callbacks.topupMenu.pack({}));
  await ctx.reply([ctx.t('avatar-choose-type'), ctx.t('avatar-price-note', { price, balance, enough: balance >= price ? 'yes' : 'no' })].join('\n\n'), { reply_markup: keyboard });
}

avatarFeature.callbackQuery(callbacks.avatarType.filter, async (ctx) => {
  const type = callbacks.avatarType.unpack(ctx.callbackQuery.data)?.type;
  if (type !== 'portrait' && type !== 'style') return ctx.answerCallbackQuery();
  await ctx.answerCallbackQuery();
  ctx.session = { step: 'avatar-name', avatarType: type === 'portrait' ? 'PORTRAIT' : 'STYLE' };
  await ctx.reply(ctx.t('avatar-ask-name'));
});

/** The name: the avatar's workflow starts (it creates the draft and asks for photos). */
avatarFeature.on('message:text', async (ctx, next) => {
  if (ctx.session.step !== 'avatar-name' || ctx.message.text.startsWith('/')) return next();
  const name = ctx.message.text.trim();
  if (name.length < 1 || name.length > 40 || /[\r\n]/.test(name)) return ctx.reply(ctx.t('avatar-bad-name'));
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const { config } = ctx.services;
  const avatarId = randomUUID();
  const workflowId = workflowIds.avatar(avatarId);
  const input: AvatarTrainingInput = {
    avatarId,
    userId: user.id,
    telegramId: ctx.from.id,
    chatId: ctx.chat.id,
    language: ctx.language,
    name,
    kind: ctx.session.avatarType ?? 'PORTRAIT',
    triggerPhrase: `TOK_${avatarId.slice(0, 8)}`,
    price: config.tariffs.avatarTraining,
    minPhotos: config.avatars.minPhotos,
    maxPhotos: config.avatars.maxPhotos,
    deadlineSeconds: config.avatars.trainingDeadlineMinutes * 60,
    draftTtlSeconds: config.avatars.draftTtlHours * 3600,
    pollSeconds: config.fal.pollIntervalSeconds,
    maxPollSeconds: config.fal.pollMaxSeconds,
    progressSeconds: 30,
    webhookUrl: falWebhookUrl(config.http.publicBaseUrl, workflowId),
    expectedTrainingSeconds: await expectedTrainingSeconds(ctx.services.prisma),
    revision: AVATAR_TRAINING_REVISION,
  };
  await startUserWorkflow<typeof avatarTrainingWorkflow>(ctx, 'avatarTrainingWorkflow', {
    workflowId,
    kind: 'avatar_training',
    summary: `avatar “${name}” (${input.kind.toLowerCase()})`,
    args: [input],
  });
  ctx.session = { step: 'avatar-photos', avatarId };
});

/**
 * Photos (compressed, or sent as image files) while a draft collects them;
 * each carries its message, so a rejected one is answered under it. A photo
 * outside any flow is asked what it is for: an avatar, or a picture like it.
 */
avatarFeature.on(['message:photo', 'message:document'], async (ctx, next) => {
  const doc = ctx.message.document;
  if (doc && !IMAGE_DOCUMENT.test(doc.mime_type ?? '') && !/\.(jpe?g|png|webp)$/i.test(doc.file_name ?? '')) return next();
  const file = doc ?? ctx.message.photo!.at(-1)!;
  const draft = ctx.session.step === 'avatar-photos' ? ctx.session.avatarId : undefined;
  if (draft) {
    const photo = { fileId: file.file_id, fileUniqueId: file.file_unique_id, messageId: ctx.message.message_id };
    if (await signalAvatar(ctx, draft, photoAddedSignal, photo)) return;
    ctx.session = {}; // the draft has ended (expired or cancelled elsewhere): the photo is asked what it is for
  }
  ctx.session = { ...ctx.session, loose: { photoFileId: file.file_id } };
  const keyboard = new InlineKeyboard()
    .text(ctx.t('photo-use-avatar'), callbacks.photoUse.pack({ m: 'avatar' }))
    .row()
    .text(ctx.t('photo-use-imagen'), callbacks.photoUse.pack({ m: 'imagen' }))
    .row()
    .text(ctx.t('photo-use-avatar-gen'), callbacks.photoUse.pack({ m: 'avatar-gen' }));
  return ctx.reply(ctx.t('photo-outside-flow'), { reply_markup: keyboard, ...replyTo(ctx.message.message_id) });
});

/** Buttons carry the avatar id: it must be the user's own avatar, whatever the callback data says. */
async function ownAvatar(ctx: AppContext, id: string | undefined) {
  const user = ctx.from ? await findUserByTelegramId(ctx.services.prisma, ctx.from.id) : null;
  return user && id ? findOwnAvatar(ctx.services.prisma, user.id, id) : null;
}

/** 🚀: within the job limit and the balance (else a top-up, and "▶ Continue" after it), the draft is told to start. */
async function startTraining(ctx: AppContext, avatarId: string | undefined) {
  const avatar = await ownAvatar(ctx, avatarId);
  if (!avatar) return ctx.callbackQuery ? ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') }) : ctx.reply(ctx.t('avatar-not-found'));
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from!.id);
  if (!user || !(await withinJobLimit(ctx, user.id, 'avatar_training'))) return;
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  if (!(await canPay(ctx, { kind: 'avatar-start', avatarId: avatar.id, price: ctx.services.config.tariffs.avatarTraining }))) return;
  if (!(await signalAvatar(ctx, avatar.id, startTrainingSignal))) await ctx.reply(ctx.t('job-not-found'));
}

/**
 * Signals an avatar's workflow; false when it has already ended (a draft that
 * expired, a training finished or cancelled): a stale button gets a reason,
 * not the generic apology.
 */
async function signalAvatar<Args extends unknown[]>(ctx: AppContext, avatarId: string, signal: SignalDefinition<Args>, ...args: Args): Promise<boolean> {
  try {
    await ctx.services.temporal.workflow.getHandle(workflowIds.avatar(avatarId)).signal(signal, ...args);
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}
avatarFeature.callbackQuery(callbacks.avatarStart.filter, (ctx) => startTraining(ctx, callbacks.avatarStart.unpack(ctx.callbackQuery.data)?.id));
onContinue('avatar-start', (ctx, waiting) => startTraining(ctx, waiting.avatarId));

/** What a loose photo is for: a new avatar (the photo is not kept: the avatar asks for 10+), or a picture like it. */
avatarFeature.callbackQuery(callbacks.photoUse.filter, async (ctx) => {
  const m = callbacks.photoUse.unpack(ctx.callbackQuery.data)?.m;
  const photo = ctx.session.loose?.photoFileId;
  if (m === 'avatar') {
    await ctx.answerCallbackQuery();
    return showAvatarTypes(ctx);
  }
  if (!photo || (m !== 'imagen' && m !== 'avatar-gen')) return ctx.answerCallbackQuery({ text: ctx.t('gen-offer-stale') });
  await ctx.answerCallbackQuery();
  return askForPrompt(ctx, m === 'imagen' ? 'IMAGEN4' : 'AVATAR', photo);
});

avatarFeature.callbackQuery(callbacks.avatarCancel.filter, async (ctx) => {
  const avatar = await ownAvatar(ctx, callbacks.avatarCancel.unpack(ctx.callbackQuery.data)?.id);
  if (!avatar) return ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') });
  const signalled = await signalAvatar(ctx, avatar.id, cancelAvatarSignal, { reason: 'user' });
  if (ctx.session.avatarId === avatar.id) ctx.session = {};
  await ctx.answerCallbackQuery({ text: ctx.t(signalled ? 'cancelled' : 'job-not-found') });
});

/** `/cancel`: leaves any multi-step flow; a draft avatar being collected is cancelled (nothing was charged). Otherwise running jobs (next features). */
avatarFeature.command('cancel', async (ctx, next) => {
  const { step, avatarId } = ctx.session;
  if (!step) return next();
  if (step === 'avatar-photos' && avatarId) {
    await ctx.services.temporal.workflow.getHandle(workflowIds.avatar(avatarId)).signal(cancelAvatarSignal, { reason: 'user' }).catch(() => undefined);
  }
  ctx.session = {};
  return ctx.reply(ctx.t('cancelled'));
});
