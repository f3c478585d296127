import { DEFAULT_FILTER, GALLERY_KINDS, GALLERY_PERIODS, type GalleryFilter } from '../lib/db/gallery';
import type { Redis } from '../lib/redis';

/**
 * Where a user is in /gallery: the filter, the 0-based page, and which image
 * and message were last shown. One JSON value per user in Redis
 * (`aisha:gallery:<telegramId>`), so it survives bot restarts and is shared by
 * several bot instances. Losing it only resets the view.
 */
export interface GalleryState extends GalleryFilter {
  page: number;
  /** The image the gallery message shows (a caption-only edit when it stays the same). */
  imageId?: string;
  /** The gallery message last drawn. */
  messageId?: number;
}

const PREFIX = 'aisha:gallery:';
const TTL_SECONDS = 30 * 24 * 3600;

/** Validates what Redis returned (an old or hand-edited value falls back to the defaults field by field). */
function parse(raw: string | null): GalleryState {
  const v = (raw ? (JSON.parse(raw) as Partial<GalleryState>) : {}) ?? {};
  return {
    kind: GALLERY_KINDS.includes(v.kind as never) ? v.kind! : DEFAULT_FILTER.kind,
    period: GALLERY_PERIODS.includes(v.period as never) ? v.period! : DEFAULT_FILTER.period,
    favorites: v.favorites === true,
    page: Number.isSafeInteger(v.page) && v.page! >= 0 ? v.page! : 0,
    imageId: typeof v.imageId === 'string' ? v.imageId : undefined,
    messageId: Number.isSafeInteger(v.messageId) ? v.messageId : undefined,
  };
}

/** Reads and writes the gallery state of one Telegram user. */
export function galleryStateStore(redis: Redis) {
  return {
    async get(telegramId: number): Promise<GalleryState> {
      try {
        return parse(await redis.get(PREFIX + telegramId));
      } catch (err) {
        if (err instanceof SyntaxError) return parse(null);
        throw err;
      }
    },
    async set(telegramId: number, state: GalleryState): Promise<void> {
      await redis.set(PREFIX + telegramId, JSON.stringify(state), 'EX', TTL_SECONDS);
    },
  };
}
