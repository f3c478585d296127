import { Composer, GrammyError, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { profileSummary, setUserLanguage } from '../../lib/db/gallery';
import { findUserByTelegramId, setUserTimeZone } from '../../lib/db/users';
import { LANGUAGES, type Language, type Translate } from '../../lib/i18n';
import { formatDate, formatUtcOffset, TIME_ZONES, timeZoneChoice } from '../../lib/time-zone';
import type { AppContext } from '../context';

/**
 * `/profile`: balance, avatars, images by kind, transcripts, member since,
 * language, time zone. `/lang`: Russian or English, stored in the users
 * table; the language middleware (bot/create-bot.ts) reads it from there on
 * every update, so the very next message is in the new language. "🕒 Time
 * zone": a short list of common zones (lib/time-zone.ts), stored likewise;
 * every date the user sees is shown in it.
 */
export const profileFeature = new Composer<AppContext>();
/** Private chats only: a profile shows the balance. */
const profile = profileFeature.chatType('private');

function languageKeyboard(t: Translate, current: Language): InlineKeyboard {
  return new InlineKeyboard([
    LANGUAGES.map((lang) => InlineKeyboard.text(lang === current ? t('button-chosen', { label: t(`lang-${lang}`) }) : t(`lang-${lang}`), callbacks.language.pack({ lang }))),
  ]);
}

const isNotModified = (err: unknown) => err instanceof GrammyError && err.description.includes('message is not modified');

/** "Москва · UTC+3" (the offset as it is now, daylight saving included). */
export function timeZoneLabel(t: Translate, zone: string, now = new Date()): string {
  return t('time-zone-label', { city: t('time-zone-city', { id: timeZoneChoice(zone)?.id ?? 'other', zone }), offset: formatUtcOffset(zone, now) });
}

function timeZoneKeyboard(t: Translate, current: string): InlineKeyboard {
  const now = new Date();
  const buttons = TIME_ZONES.map(({ id, zone }) => {
    const label = timeZoneLabel(t, zone, now);
    return InlineKeyboard.text(zone === current ? t('button-chosen', { label }) : label, callbacks.timeZone.pack({ id }));
  });
  const rows = [];
  for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
  return InlineKeyboard.from(rows);
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
    since: formatDate(user.createdAt, ctx.timeZone),
    zone: timeZoneLabel(ctx.t, ctx.timeZone),
  });
  const keyboard = new InlineKeyboard()
    .text(ctx.t('profile-gallery-button'), callbacks.galleryOpen.pack({}))
    .text(ctx.t('profile-language-button'), callbacks.languageMenu.pack({}))
    .row()
    .text(ctx.t('profile-time-zone-button'), callbacks.timeZoneMenu.pack({}));
  // Speaker labels only where a diarizing model is configured.
  if (ctx.services.config.openai.diarizeModel) keyboard.text(...speakerLabelsButton(ctx.t, user.speakerLabels));
  return ctx.reply(text, { reply_markup: keyboard });
});

/** "🗣 Спикеры: вкл": its press switches them (the data names the state it switches to, so a repeated press changes nothing). */
function speakerLabelsButton(t: Translate, on: boolean): [string, string] {
  return [t('profile-speakers-button', { on: on ? 'yes' : 'no' }), callbacks.speakerLabels.pack({ to: on ? 'off' : 'on' })];
}

profile.callbackQuery(callbacks.speakerLabels.filter, async (ctx) => {
  const to = callbacks.speakerLabels.unpack(ctx.callbackQuery.data)?.to;
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  if (!user) return ctx.answerCallbackQuery({ text: ctx.t('balance-no-user') });
  if (to !== 'on' && to !== 'off') return ctx.answerCallbackQuery(); // forged data: nothing to switch
  const on = to === 'on';
  await ctx.services.prisma.user.update({ where: { id: user.id }, data: { speakerLabels: on } });
  await ctx.answerCallbackQuery({ text: ctx.t('profile-speakers-set', { on: on ? 'yes' : 'no' }) });
  // The profile's keyboard with the switched button; other buttons stay as they were.
  const rows = ctx.callbackQuery.message?.reply_markup?.inline_keyboard;
  if (!rows) return;
  const [label, data] = speakerLabelsButton(ctx.t, on);
  const keyboard = rows.map((row) => row.map((b) => ('callback_data' in b && callbacks.speakerLabels.filter.test(b.callback_data) ? { text: label, callback_data: data } : b)));
  await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: keyboard } }).catch((err: unknown) => {
    if (!isNotModified(err)) throw err;
  });
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
    if (!isNotModified(err)) await ctx.reply(ctx.t('lang-set'));
  }
  await ctx.answerCallbackQuery({ text: ctx.t('lang-set') });
});

profile.callbackQuery(callbacks.timeZoneMenu.filter, async (ctx) => {
  await ctx.reply(ctx.t('time-zone-choose', { zone: timeZoneLabel(ctx.t, ctx.timeZone) }), { reply_markup: timeZoneKeyboard(ctx.t, ctx.timeZone) });
  await ctx.answerCallbackQuery();
});

/** A zone from the list: stored, and the list redrawn with ✓ on it. */
profile.callbackQuery(callbacks.timeZone.filter, async (ctx) => {
  const id = callbacks.timeZone.unpack(ctx.callbackQuery.data)?.id;
  const choice = TIME_ZONES.find((z) => z.id === id);
  if (!choice) return ctx.answerCallbackQuery({ text: ctx.t('unhandled-callback') });
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from.id);
  if (!user) return ctx.answerCallbackQuery({ text: ctx.t('balance-no-user') });
  await setUserTimeZone(ctx.services.prisma, user.id, choice.zone);
  ctx.timeZone = choice.zone;
  ctx.logger.info({ timeZone: choice.zone }, 'time zone changed');
  const text = ctx.t('time-zone-set', { zone: timeZoneLabel(ctx.t, choice.zone) });
  try {
    await ctx.editMessageText(text, { reply_markup: timeZoneKeyboard(ctx.t, choice.zone) });
  } catch (err) {
    if (!isNotModified(err)) await ctx.reply(text);
  }
  await ctx.answerCallbackQuery({ text });
});
