import { Composer, GrammyError, InlineKeyboard } from 'grammy';
import { callbacks } from '../../lib/callback-data';
import { galleryDate, profileSummary, setUserLanguage } from '../../lib/db/gallery';
import { findUserByTelegramId } from '../../lib/db/users';
import { LANGUAGES, type Language, type Translate } from '../../lib/i18n';
import type { AppContext } from '../context';

/**
 * `/profile`: balance, avatars, images by kind, transcripts, member since,
 * language (read-only). `/lang`: Russian or English, stored in the users
 * table; the language middleware (bot/create-bot.ts) reads it from there on
 * every update, so the very next message is in the new language.
 */
export const profileFeature = new Composer<AppContext>();
/** Private chats only: a profile shows the balance. */
const profile = profileFeature.chatType('private');

function languageKeyboard(t: Translate, current: Language): InlineKeyboard {
  return new InlineKeyboard([
    LANGUAGES.map((lang) => InlineKeyboard.text(lang === current ? t('button-chosen', { label: t(`lang-${lang}`) }) : t(`lang-${lang}`), callbacks.language.pack({ lang }))),
  ]);
}

profile.command('profile', async (ctx) => {
  const { prisma } = ctx.services;
  const user = await findUserByTelegramId(prisma, ctx.from!.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const s = await profileSummary(prisma, user.id);
  const text = ctx.t('profile-text', {
    balance: s.balance,
    avatars: s.avatars,
    main: s.mainAvatar ?? 'none',
    images: s.images.AVATAR + s.images.IMAGEN4,
    avatarImages: s.images.AVATAR,
    imagenImages: s.images.IMAGEN4,
    favorites: s.favorites,
    transcripts: s.transcripts,
    minutes: Math.ceil(s.transcriptSeconds / 60),
    since: galleryDate(user.createdAt),
  });
  const keyboard = new InlineKeyboard()
    .text(ctx.t('profile-gallery-button'), callbacks.galleryOpen.pack({}))
    .text(ctx.t('profile-language-button'), callbacks.languageMenu.pack({}));
  return ctx.reply(text, { reply_markup: keyboard });
});

profile.command('lang', (ctx) => ctx.reply(ctx.t('lang-choose'), { reply_markup: languageKeyboard(ctx.t, ctx.language) }));

profile.callbackQuery(callbacks.languageMenu.filter, async (ctx) => {
  await ctx.reply(ctx.t('lang-choose'), { reply_markup: languageKeyboard(ctx.t, ctx.language) });
  await ctx.answerCallbackQuery();
});

profile.callbackQuery(callbacks.language.filter, async (ctx) => {
  const lang = LANGUAGES.find((l) => l === callbacks.language.unpack(ctx.callbackQuery.data)?.lang);
  if (!lang) return ctx.answerCallbackQuery({ text: ctx.t('unhandled-callback') });
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  if (!user) return ctx.answerCallbackQuery({ text: ctx.t('balance-no-user') });
  await setUserLanguage(ctx.services.prisma, user.id, lang);
  ctx.language = lang;
  ctx.t = ctx.services.i18n.forLanguage(lang);
  ctx.logger.info({ language: lang }, 'language changed');
  try {
    await ctx.editMessageText(ctx.t('lang-set'), { reply_markup: languageKeyboard(ctx.t, lang) });
  } catch (err) {
    if (!(err instanceof GrammyError && err.description.includes('message is not modified'))) await ctx.reply(ctx.t('lang-set'));
  }
  await ctx.answerCallbackQuery({ text: ctx.t('lang-set') });
});
