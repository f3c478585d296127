import { InlineKeyboard } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { callbacks } from '../../vocabulary/callback-data';
import { GALLERY_KINDS, GALLERY_PERIODS, type GalleryCounts, type GalleryFilter, type GalleryImage } from '../../lib/db/gallery';
import type { Translate } from '../../lib/i18n';
import { formatDate } from '../../lib/time-zone';

/**
 * What /gallery draws (pure): the caption of one image and the keyboards.
 * Filters are buttons; the chosen ones carry "✓", kinds and favourites carry
 * how many images they lead to.
 */

/** How much of the prompt a caption shows (Telegram captions are ≤ 1024 characters). */
const PROMPT_EXCERPT = 300;

function excerpt(text: string, max: number): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** "3/57" and the arrows: ← on the first page goes to the last, → on the last to the first. */
export function neighbours(page: number, total: number): { prev: number; next: number } {
  return { prev: (page - 1 + total) % total, next: (page + 1) % total };
}

/** The caption of one image; its date in the user's zone. */
export function galleryCaption(t: Translate, image: GalleryImage, page: number, total: number, timeZone: string): string {
  return t('gallery-caption', {
    page: String(page + 1),
    total: String(total),
    kind: image.kind,
    avatar: image.avatar?.name ?? 'none',
    favorite: image.isFavorite ? 'yes' : 'no',
    date: formatDate(image.createdAt, timeZone),
    prompt: excerpt(image.prompt, PROMPT_EXCERPT),
  });
}

const mark = (t: Translate, on: boolean, label: string) => (on ? t('button-chosen', { label }) : label);

/** The filter rows: kind (with counts), period, favourites only (with its count) and the transcripts. */
function filterRows(t: Translate, f: GalleryFilter, counts: GalleryCounts): InlineKeyboardButton[][] {
  return [
    GALLERY_KINDS.map((kind) => InlineKeyboard.text(mark(t, f.kind === kind, t('gallery-filter-kind', { kind, count: counts.byKind[kind] })), callbacks.galleryKind.pack({ k: kind }))),
    GALLERY_PERIODS.map((period) => InlineKeyboard.text(mark(t, f.period === period, t('gallery-filter-period', { period })), callbacks.galleryPeriod.pack({ d: period }))),
    [
      InlineKeyboard.text(mark(t, f.favorites, t('gallery-filter-favorites', { count: counts.favorites })), callbacks.galleryFavorites.pack({})),
      InlineKeyboard.text(t('gallery-transcripts-button'), callbacks.galleryTranscripts.pack({})),
    ],
  ];
}

/** Under a shown image: paging, the image's own buttons, the filters. */
export function galleryKeyboard(t: Translate, f: GalleryFilter, counts: GalleryCounts, image: GalleryImage, page: number): InlineKeyboard {
  const counter = InlineKeyboard.text(t('gallery-counter', { page: String(page + 1), total: String(counts.total) }), callbacks.galleryCounter.pack({}));
  const { prev, next } = neighbours(page, counts.total);
  const paging =
    counts.total > 1
      ? [InlineKeyboard.text(t('gallery-prev'), callbacks.galleryPage.pack({ p: prev })), counter, InlineKeyboard.text(t('gallery-next'), callbacks.galleryPage.pack({ p: next }))]
      : [counter];
  return new InlineKeyboard([
    paging,
    [
      InlineKeyboard.text(t(image.isFavorite ? 'gallery-star-remove' : 'gallery-star-add'), callbacks.galleryStar.pack({ id: image.id })),
      InlineKeyboard.text(t('button-prompt', { n: 0 }), callbacks.imagePrompt.pack({ id: image.id })),
      InlineKeyboard.text(t('gallery-delete-button'), callbacks.galleryDelete.pack({ id: image.id })),
    ],
    ...filterRows(t, f, counts),
  ]);
}

/** Nothing to show: the whole gallery is empty, or the filter matches nothing. */
export function emptyView(t: Translate, f: GalleryFilter, counts: GalleryCounts): { text: string; keyboard: InlineKeyboard } {
  const create = InlineKeyboard.text(t('gallery-create-button'), callbacks.galleryCreate.pack({}));
  if (counts.everything === 0) {
    return { text: t('gallery-empty'), keyboard: new InlineKeyboard([[create, InlineKeyboard.text(t('gallery-transcripts-button'), callbacks.galleryTranscripts.pack({}))]]) };
  }
  return {
    text: t('gallery-empty-filter', { everything: counts.everything }),
    keyboard: new InlineKeyboard([...filterRows(t, f, counts), [InlineKeyboard.text(t('gallery-reset-button'), callbacks.galleryReset.pack({})), create]]),
  };
}

/** The delete step: the same photo, asking first. */
export function deleteConfirmKeyboard(t: Translate, imageId: string): InlineKeyboard {
  return new InlineKeyboard([
    [InlineKeyboard.text(t('gallery-delete-yes'), callbacks.galleryDeleteConfirm.pack({ id: imageId })), InlineKeyboard.text(t('gallery-delete-no'), callbacks.galleryDeleteCancel.pack({}))],
  ]);
}
