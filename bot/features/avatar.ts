import { randomUUID } from 'node:crypto';
import { Composer, InlineKeyboard } from 'grammy';
import { callbacks } from '../../lib/callback-data';
import { findOwnAvatar } from '../../lib/db/avatars';
import { findUserByTelegramId } from '../../lib/db/users';
import { cancelAvatarSignal, photoAddedSignal, startTrainingSignal, type AvatarTrainingInput } from '../../workflows/avatar-api';
import type { avatarTrainingWorkflow } from '../../workflows/avatar-training';
import { falWebhookUrl } from '../../workflows/fal-api';
import { workflowIds } from '../../workflows/ids';
import type { AppContext } from '../context';
import { withinJobLimit } from '../job-limits';
import { startUserWorkflow } from '../start-workflow';

/** Creating an avatar: type → name → photos → start. The bot only starts the workflow and signals it. */
export const avatarFeature = new Composer<AppContext>();

const IMAGE_DOCUMENT = /^image\//;

avatarFeature.callbackQuery(callbacks.avatarCreate.filter, async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t('avatar-choose-type'), {
    reply_markup: new InlineKeyboard()
      .text(ctx.t('avatar-type-portrait'), callbacks.avatarType.pack({ type: 'portrait' }))
      .text(ctx.t('avatar-type-style'), callbacks.avatarType.pack({ type: 'style' })),
  });
});

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
    progressSeconds: 30,
    webhookUrl: falWebhookUrl(config.http.publicBaseUrl, workflowId),
  };
  await startUserWorkflow<typeof avatarTrainingWorkflow>(ctx, 'avatarTrainingWorkflow', {
    workflowId,
    kind: 'avatar_training',
    summary: `avatar “${name}” (${input.kind.toLowerCase()})`,
    args: [input],
  });
  ctx.session = { step: 'avatar-photos', avatarId };
});

/** Photos (compressed, or sent as image files) while a draft collects them. */
avatarFeature.on(['message:photo', 'message:document'], async (ctx, next) => {
  const doc = ctx.message.document;
  if (doc && !IMAGE_DOCUMENT.test(doc.mime_type ?? '') && !/\.(jpe?g|png|webp)$/i.test(doc.file_name ?? '')) return next();
  if (ctx.session.step !== 'avatar-photos' || !ctx.session.avatarId) return ctx.reply(ctx.t('avatar-photo-without-draft'));
  const file = doc ?? ctx.message.photo!.at(-1)!;
  await ctx.services.temporal.workflow
    .getHandle(workflowIds.avatar(ctx.session.avatarId))
    .signal(photoAddedSignal, { fileId: file.file_id, fileUniqueId: file.file_unique_id });
});

/** Buttons carry the avatar id: it must be the user's own avatar, whatever the callback data says. */
async function ownAvatar(ctx: AppContext, id: string | undefined) {
  const user = ctx.from ? await findUserByTelegramId(ctx.services.prisma, ctx.from.id) : null;
  return user && id ? findOwnAvatar(ctx.services.prisma, user.id, id) : null;
}

avatarFeature.callbackQuery(callbacks.avatarStart.filter, async (ctx) => {
  const avatar = await ownAvatar(ctx, callbacks.avatarStart.unpack(ctx.callbackQuery.data)?.id);
  if (!avatar) return ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') });
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  if (!user || !(await withinJobLimit(ctx, user.id, 'avatar_training'))) return;
  await ctx.services.temporal.workflow.getHandle(workflowIds.avatar(avatar.id)).signal(startTrainingSignal);
  await ctx.answerCallbackQuery();
});

avatarFeature.callbackQuery(callbacks.avatarCancel.filter, async (ctx) => {
  const avatar = await ownAvatar(ctx, callbacks.avatarCancel.unpack(ctx.callbackQuery.data)?.id);
  if (!avatar) return ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') });
  await ctx.services.temporal.workflow.getHandle(workflowIds.avatar(avatar.id)).signal(cancelAvatarSignal, { reason: 'user' });
  if (ctx.session.avatarId === avatar.id) ctx.session = {};
  await ctx.answerCallbackQuery({ text: ctx.t('cancelled') });
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
