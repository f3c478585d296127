import { Composer, GrammyError, InputFile, InputMediaBuilder } from 'grammy';
import type { Message, PhotoSize } from 'grammy/types';
import { callbacks } from '../../vocabulary/callback-data';
import {
  DEFAULT_FILTER,
  deleteOwnImage,
  forgetTelegramFileId,
  GALLERY_KINDS,
  GALLERY_PERIODS,
  galleryCounts,
  galleryImageAt,
  rememberTelegramFileId,
  type GalleryImage,
} from '../../lib/db/gallery';
import { findOwnImage, toggleFavorite } from '../../lib/db/images';
import { findUserByTelegramId } from '../../lib/db/users';
import type { AppContext } from '../context';
import { askForImageMode } from './create-choice';
import { galleryStateStore, type GalleryState } from '../gallery-state';
import { deleteConfirmKeyboard, emptyView, galleryCaption, galleryKeyboard } from './gallery-view';
import { galleryTranscriptsFeature } from './gallery-transcripts';

/**
 * `/gallery`: one image per message, paged with ← / → ("3/57"), filtered by
 * kind, period and favourites; ⭐, 📝 prompt and 🗑 (with a confirmation) on
 * each image. The filter and page are in Redis (bot/gallery-state.ts), so
 * they survive navigation and restarts. Paging and filters edit the same
 * message (editMessageMedia / editMessageCaption). Every button that names an
 * image is checked against the user's own images; a forged id is refused
 * with a short answer and changes nothing. Private chats only. The photo is sent by its Telegram
 * file id when the row has one, else read from MinIO (bucket `generations`)
 * and the new file id remembered.
 */
export const galleryFeature = new Composer<AppContext>();
/** Private chats only: there the chat is the user's own, so nobody else can press a gallery's buttons. */
const gallery = galleryFeature.chatType('private');

const BUCKET = 'generations';

const stateOf = (ctx: AppContext) => galleryStateStore(ctx.services.redis);
const isNotModified = (err: unknown) => err instanceof GrammyError && err.description.includes('message is not modified');

function largest(sizes: PhotoSize[]): PhotoSize {
  return sizes.reduce((a, b) => (b.width * b.height >= a.width * a.height ? b : a));
}

/**
 * Sends or edits with the image's photo: its Telegram file id first; when
 * Telegram refuses that id (another bot, an expired file), the bytes from
 * MinIO. A new file id is remembered for the next view.
 */
async function withPhoto(ctx: AppContext, userId: number, image: GalleryImage, send: (photo: string | InputFile) => Promise<Message | true>): Promise<Message | true> {
  const { prisma, storage } = ctx.services;
  if (image.telegramFileId) {
    try {
      return await send(image.telegramFileId);
    } catch (err) {
      if (!(err instanceof GrammyError && err.error_code === 400 && /file|photo/i.test(err.description))) throw err;
      ctx.logger.warn({ imageId: image.id, description: err.description }, 'stored Telegram file id refused; sending the stored image');
      await forgetTelegramFileId(prisma, userId, image.id);
    }
  }
  const bytes = await storage.get(BUCKET, image.objectKey);
  const sent = await send(new InputFile(bytes, `aisha-${image.id.slice(0, 8)}.jpg`));
  if (sent !== true && sent.photo?.length) await rememberTelegramFileId(prisma, userId, image.id, largest(sent.photo).file_id);
  return sent;
}

/**
 * Draws the gallery for `state` (page clamped to what the filter has) and
 * saves where the user is. From a button it edits the pressed message:
 * caption only when the image stays, the media when it changes, and a new
 * message when a photo must become text or back (Telegram cannot convert).
 */
async function show(ctx: AppContext, userId: number, state: GalleryState, { edit }: { edit: boolean }): Promise<void> {
  const { prisma } = ctx.services;
  const clock = { now: new Date(), timeZone: ctx.timeZone };
  const counts = await galleryCounts(prisma, userId, state, clock);
  const page = counts.total ? Math.min(state.page, counts.total - 1) : 0;
  const image = counts.total ? await galleryImageAt(prisma, userId, state, page, clock) : null;
  const current = edit ? ctx.callbackQuery?.message : undefined;
  let message: Message | undefined;

  if (image) {
    const caption = galleryCaption(ctx.t, image, page, counts.total, ctx.timeZone);
    const reply_markup = galleryKeyboard(ctx.t, state, counts, image, page);
    if (current?.photo) {
      try {
        const sameImage = current.message_id === state.messageId && state.imageId === image.id;
        const edited = sameImage
          ? await ctx.editMessageCaption({ caption, reply_markup })
          : await withPhoto(ctx, userId, image, (photo) => ctx.editMessageMedia(InputMediaBuilder.photo(photo, { caption }), { reply_markup }));
        message = edited === true ? current : edited;
      } catch (err) {
        if (!isNotModified(err)) ctx.logger.warn({ err }, 'gallery edit failed; sending a new message');
        else message = current;
      }
    }
    if (!message) {
      if (current) await ctx.deleteMessage().catch(() => undefined);
      const sent = await withPhoto(ctx, userId, image, (photo) => ctx.replyWithPhoto(photo, { caption, reply_markup }));
      message = sent === true ? undefined : sent;
    }
  } else {
    const { text, keyboard } = emptyView(ctx.t, state, counts);
    if (current && !current.photo) {
      try {
        const edited = await ctx.editMessageText(text, { reply_markup: keyboard });
        message = edited === true ? current : edited;
      } catch (err) {
        if (isNotModified(err)) message = current;
      }
    }
    if (!message) {
      if (current) await ctx.deleteMessage().catch(() => undefined);
      message = await ctx.reply(text, { reply_markup: keyboard });
    }
  }
  await stateOf(ctx).set(ctx.from!.id, { ...state, page, imageId: image?.id, messageId: message?.message_id ?? state.messageId });
}

async function userOf(ctx: AppContext) {
  return ctx.from ? findUserByTelegramId(ctx.services.prisma, ctx.from.id) : null;
}

/**
 * A gallery button: redraws with the changed state, then answers the press.
 * Buttons are answered last throughout the gallery, so an answered press is a
 * finished one (a refusal is answered at once and changes nothing).
 */
function onButton(filter: RegExp, change: (ctx: AppContext, state: GalleryState) => GalleryState | null) {
  gallery.callbackQuery(filter, async (ctx) => {
    const user = await userOf(ctx);
    if (!user) return ctx.answerCallbackQuery({ text: ctx.t('balance-no-user') });
    const state = await stateOf(ctx).get(ctx.from.id);
    const next = change(ctx, state);
    if (!next) return ctx.answerCallbackQuery({ text: ctx.t('unhandled-callback') });
    await show(ctx, user.id, next, { edit: true });
    await ctx.answerCallbackQuery();
  });
}

/** The gallery as a new message, where the user left it: `/gallery`, /profile's 🖼 and the menu's 🖼. */
export async function openGallery(ctx: AppContext) {
  const user = await userOf(ctx);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  await show(ctx, user.id, await stateOf(ctx).get(ctx.from!.id), { edit: false });
}

gallery.command('gallery', openGallery);

gallery.callbackQuery(callbacks.galleryOpen.filter, async (ctx) => {
  await openGallery(ctx);
  await ctx.answerCallbackQuery();
});

onButton(callbacks.galleryPage.filter, (ctx, state) => {
  const p = callbacks.galleryPage.unpack(ctx.callbackQuery?.data)?.p;
  return p === undefined || p < 0 ? null : { ...state, page: p };
});

onButton(callbacks.galleryKind.filter, (ctx, state) => {
  const k = callbacks.galleryKind.unpack(ctx.callbackQuery?.data)?.k;
  const kind = GALLERY_KINDS.find((x) => x === k);
  return kind ? { ...state, kind, page: 0 } : null;
});

onButton(callbacks.galleryPeriod.filter, (ctx, state) => {
  const d = callbacks.galleryPeriod.unpack(ctx.callbackQuery?.data)?.d;
  const period = GALLERY_PERIODS.find((x) => x === d);
  return period ? { ...state, period, page: 0 } : null;
});

onButton(callbacks.galleryFavorites.filter, (_ctx, state) => ({ ...state, favorites: !state.favorites, page: 0 }));

onButton(callbacks.galleryReset.filter, (_ctx, state) => ({ ...state, ...DEFAULT_FILTER, page: 0 }));

onButton(callbacks.galleryDeleteCancel.filter, (_ctx, state) => state);

/** ⭐: flips the mark of one of the user's images and redraws (under "favourites only" an unmarked image leaves the list). */
gallery.callbackQuery(callbacks.galleryStar.filter, async (ctx) => {
  const user = await userOf(ctx);
  const id = callbacks.galleryStar.unpack(ctx.callbackQuery.data)?.id;
  const favorite = user && id ? await toggleFavorite(ctx.services.prisma, user.id, id) : null;
  if (!user || favorite === null) return ctx.answerCallbackQuery({ text: ctx.t('image-not-found') });
  await show(ctx, user.id, await stateOf(ctx).get(ctx.from.id), { edit: true });
  await ctx.answerCallbackQuery({ text: ctx.t(favorite ? 'favorite-on' : 'favorite-off') });
});

gallery.callbackQuery(callbacks.galleryCounter.filter, (ctx) => ctx.answerCallbackQuery());

/** "🎨 Create an image": the same choice as the main menu's (with an avatar or Imagen 4). */
gallery.callbackQuery(callbacks.galleryCreate.filter, async (ctx) => {
  await askForImageMode(ctx);
  await ctx.answerCallbackQuery();
});

/** 🗑: asks first, on the same message. */
gallery.callbackQuery(callbacks.galleryDelete.filter, async (ctx) => {
  const user = await userOf(ctx);
  const id = callbacks.galleryDelete.unpack(ctx.callbackQuery.data)?.id;
  const image = user && id ? await findOwnImage(ctx.services.prisma, user.id, id) : null;
  if (!image) return ctx.answerCallbackQuery({ text: ctx.t('image-not-found') });
  const reply_markup = deleteConfirmKeyboard(ctx.t, image.id);
  if (ctx.callbackQuery.message?.photo) await ctx.editMessageCaption({ caption: ctx.t('gallery-delete-confirm'), reply_markup });
  else await ctx.reply(ctx.t('gallery-delete-confirm'), { reply_markup });
  await ctx.answerCallbackQuery();
});

/** Confirmed: the row goes first (the gallery never points at a missing object), then the MinIO object. */
gallery.callbackQuery(callbacks.galleryDeleteConfirm.filter, async (ctx) => {
  const user = await userOf(ctx);
  const id = callbacks.galleryDeleteConfirm.unpack(ctx.callbackQuery.data)?.id;
  const deleted = user && id ? await deleteOwnImage(ctx.services.prisma, user.id, id) : null;
  if (!user || !deleted) return ctx.answerCallbackQuery({ text: ctx.t('image-not-found') });
  try {
    await ctx.services.storage.remove(BUCKET, deleted.objectKey);
  } catch (err) {
    ctx.logger.warn({ err, objectKey: deleted.objectKey }, 'image row deleted but its object was not removed');
  }
  ctx.logger.info({ imageId: id }, 'gallery image deleted');
  const state = await stateOf(ctx).get(ctx.from.id);
  await show(ctx, user.id, { ...state, imageId: undefined }, { edit: true });
  await ctx.answerCallbackQuery({ text: ctx.t('gallery-deleted') });
});

gallery.use(galleryTranscriptsFeature);
