import { Composer } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { findOwnImage, toggleFavorite } from '../../lib/db/images';
import { findUserByTelegramId } from '../../lib/db/users';
import type { AppContext } from '../context';
import type { GenerationDraft } from '../session';
import { offer } from './generate';

/** The buttons under delivered images: ⭐ favourite, 📝 prompt, 🔁 again — only for the user's own images. */
export const imageActionsFeature = new Composer<AppContext>();

async function ownImage(ctx: AppContext, id: string | undefined) {
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from!.id);
  const image = user && id ? await findOwnImage(ctx.services.prisma, user.id, id) : null;
  return user && image ? { user, image } : null;
}

imageActionsFeature.callbackQuery(callbacks.imageFavorite.filter, async (ctx) => {
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  const id = callbacks.imageFavorite.unpack(ctx.callbackQuery.data)?.id;
  const state = user && id ? await toggleFavorite(ctx.services.prisma, user.id, id) : null;
  if (state === null) return ctx.answerCallbackQuery({ text: ctx.t('image-not-found') });
  await showFavoriteState(ctx, state);
  return ctx.answerCallbackQuery({ text: ctx.t(state ? 'favorite-on' : 'favorite-off') });
});

/** The pressed ⭐ shows the new state (☆/⭐) on its button; the rest of the keyboard stays as it was. */
async function showFavoriteState(ctx: AppContext, on: boolean) {
  const rows = ctx.callbackQuery?.message?.reply_markup?.inline_keyboard;
  const data = ctx.callbackQuery?.data;
  if (!rows || !data) return;
  const keyboard = rows.map((row, i) =>
    row.map((b) => ('callback_data' in b && b.callback_data === data ? { text: ctx.t('button-favorite', { n: rows.length > 1 ? i + 1 : 0, on: on ? 'yes' : 'no' }), callback_data: data } : b)),
  );
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: keyboard } }).catch((err: unknown) => ctx.logger.info({ err }, 'favourite state not shown'));
}

imageActionsFeature.callbackQuery(callbacks.imagePrompt.filter, async (ctx) => {
  const found = await ownImage(ctx, callbacks.imagePrompt.unpack(ctx.callbackQuery.data)?.id);
  if (!found) return ctx.answerCallbackQuery({ text: ctx.t('image-not-found') });
  await ctx.answerCallbackQuery();
  const { image } = found;
  const text = ctx.t('image-prompt-view', {
    prompt: image.prompt.slice(0, 1500),
    enhanced: image.enhancedPrompt ? image.enhancedPrompt.slice(0, 1800) : 'none',
    score: image.qualityScore ?? 'none',
  });
  return ctx.reply(text.slice(0, 4096));
});

/**
 * 🔁 Again: an offer for one more image with the same prompt, mode, avatar and
 * aspect ratio — the options message with the price and a Create button, as
 * for /imagen; nothing is charged until Create (the offer on the screen).
 */
imageActionsFeature.callbackQuery(callbacks.imageAgain.filter, async (ctx) => {
  const found = await ownImage(ctx, callbacks.imageAgain.unpack(ctx.callbackQuery.data)?.id);
  if (!found) return ctx.answerCallbackQuery({ text: ctx.t('image-not-found') });
  const generation = await ctx.services.prisma.generation.findFirst({
    where: { id: found.image.generationId, userId: found.user.id },
    select: { mode: true, prompt: true, aspectRatio: true, avatarId: true },
  });
  if (!generation) return ctx.answerCallbackQuery({ text: ctx.t('image-not-found') });
  const avatar = generation.avatarId
    ? await ctx.services.prisma.avatar.findFirst({ where: { id: generation.avatarId, userId: found.user.id, status: 'COMPLETED', deletedAt: null }, select: { id: true, name: true } })
    : null;
  if (generation.mode === 'AVATAR' && !avatar) return ctx.answerCallbackQuery({ text: ctx.t('gen-no-avatar'), show_alert: true });
  await ctx.answerCallbackQuery();
  return offer(ctx, {
    mode: generation.mode,
    prompt: generation.prompt,
    aspectRatio: generation.aspectRatio as GenerationDraft['aspectRatio'],
    numImages: 1,
    ...(avatar ? { avatarId: avatar.id, avatarName: avatar.name } : {}),
  });
});
