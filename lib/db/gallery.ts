import type { Prisma, PrismaClient } from '../prisma';
import { startOfDay } from '../time-zone';
import { isImageId } from './images';

/**
 * The gallery's and the profile's reads (and the gallery's two writes:
 * delete, remember a Telegram file id). Every query is scoped by userId, so an
 * id forged into callback data that is not the user's finds nothing.
 */

export const GALLERY_KINDS = ['all', 'AVATAR', 'IMAGEN4'] as const;
export type GalleryKind = (typeof GALLERY_KINDS)[number];
export const GALLERY_PERIODS = ['all', 'today', 'week', 'month'] as const;
export type GalleryPeriod = (typeof GALLERY_PERIODS)[number];

/** What the user has chosen to see. */
export interface GalleryFilter {
  kind: GalleryKind;
  period: GalleryPeriod;
  favorites: boolean;
}

export const DEFAULT_FILTER: GalleryFilter = { kind: 'all', period: 'all', favorites: false };

const DAY_MS = 24 * 3600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The earliest creation time a period shows (undefined: all time); "today" begins at midnight in the user's zone. */
export function periodStart(period: GalleryPeriod, now: Date, timeZone: string): Date | undefined {
  if (period === 'today') return startOfDay(now, timeZone);
  if (period === 'week') return new Date(now.getTime() - 7 * DAY_MS);
  if (period === 'month') return new Date(now.getTime() - 30 * DAY_MS);
  return undefined;
}

/** When the gallery is looked at: the moment and the user's time zone (for "today"). */
export interface GalleryClock {
  now: Date;
  timeZone: string;
}

function imageWhere(userId: number, f: Partial<GalleryFilter>, clock: GalleryClock): Prisma.ImageWhereInput {
  const since = f.period ? periodStart(f.period, clock.now, clock.timeZone) : undefined;
  return {
    userId,
    deletedAt: null,
    ...(f.kind && f.kind !== 'all' ? { kind: f.kind } : {}),
    ...(since ? { createdAt: { gte: since } } : {}),
    ...(f.favorites ? { isFavorite: true } : {}),
  };
}

/** How many images each choice would show, given the other choices. */
export interface GalleryCounts {
  /** Per kind, under the chosen period and favourites (what each kind button leads to). */
  byKind: Record<GalleryKind, number>;
  /** Favourites under the chosen kind and period. */
  favorites: number;
  /** What the current filter shows. */
  total: number;
  /** The whole gallery, no filter. */
  everything: number;
}

export async function galleryCounts(prisma: PrismaClient, userId: number, f: GalleryFilter, clock: GalleryClock): Promise<GalleryCounts> {
  const [groups, favorites, everything] = await Promise.all([
    prisma.image.groupBy({ by: ['kind'], where: imageWhere(userId, { period: f.period, favorites: f.favorites }, clock), _count: { _all: true } }),
    prisma.image.count({ where: imageWhere(userId, { kind: f.kind, period: f.period, favorites: true }, clock) }),
    prisma.image.count({ where: imageWhere(userId, {}, clock) }),
  ]);
  const of = (kind: 'AVATAR' | 'IMAGEN4') => groups.find((g) => g.kind === kind)?._count._all ?? 0;
  const byKind = { all: of('AVATAR') + of('IMAGEN4'), AVATAR: of('AVATAR'), IMAGEN4: of('IMAGEN4') };
  return { byKind, favorites, total: byKind[f.kind], everything };
}

const gallerySelect = {
  id: true,
  kind: true,
  prompt: true,
  isFavorite: true,
  objectKey: true,
  telegramFileId: true,
  createdAt: true,
  avatar: { select: { name: true } },
} as const;

export type GalleryImage = Prisma.ImageGetPayload<{ select: typeof gallerySelect }>;

/** The image at a 0-based place of the filtered gallery, newest first. */
export function galleryImageAt(prisma: PrismaClient, userId: number, f: GalleryFilter, index: number, clock: GalleryClock): Promise<GalleryImage | null> {
  return prisma.image.findFirst({
    where: imageWhere(userId, f, clock),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: Math.max(0, index),
    select: gallerySelect,
  });
}

/** Remembers the Telegram file id of a gallery photo, so the next view sends no bytes. */
export async function rememberTelegramFileId(prisma: PrismaClient, userId: number, imageId: string, fileId: string): Promise<void> {
  await prisma.image.updateMany({ where: { id: imageId, userId, telegramFileId: null }, data: { telegramFileId: fileId } });
}

/** Forgets a file id Telegram no longer accepts. */
export async function forgetTelegramFileId(prisma: PrismaClient, userId: number, imageId: string): Promise<void> {
  await prisma.image.updateMany({ where: { id: imageId, userId }, data: { telegramFileId: null } });
}

/**
 * Deletes one of the user's images (the row; the caller removes the MinIO
 * object). Returns the object key, or null when the image is not the user's.
 */
export async function deleteOwnImage(prisma: PrismaClient, userId: number, imageId: string): Promise<{ objectKey: string } | null> {
  if (!isImageId(imageId)) return null;
  const rows = await prisma.$queryRaw<{ object_key: string }[]>`
    DELETE FROM images WHERE id = ${imageId}::uuid AND user_id = ${userId} AND deleted_at IS NULL
    RETURNING object_key`;
  return rows[0] ? { objectKey: rows[0].object_key } : null;
}

/** The user's recent finished transcripts, newest first. */
export function recentTranscripts(prisma: PrismaClient, userId: number, take = 8) {
  return prisma.transcript.findMany({
    where: { userId, status: { in: ['COMPLETED', 'PARTIAL'] } },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: { id: true, createdAt: true, durationSec: true, fileName: true, text: true, txtObjectKey: true, srtObjectKey: true },
  });
}

/** One of the user's transcripts with its file keys (null for another user's id). */
export function findOwnTranscript(prisma: PrismaClient, userId: number, transcriptId: string) {
  if (!UUID.test(transcriptId)) return Promise.resolve(null);
  return prisma.transcript.findFirst({
    where: { id: transcriptId, userId, status: { in: ['COMPLETED', 'PARTIAL'] } },
    select: { id: true, createdAt: true, fileName: true, txtObjectKey: true, srtObjectKey: true, segments: true },
  });
}

/** What /profile shows. */
export interface ProfileSummary {
  balance: number;
  avatars: number;
  mainAvatar: string | null;
  images: Record<'AVATAR' | 'IMAGEN4', number>;
  favorites: number;
  transcripts: number;
  transcriptSeconds: number;
}

export async function profileSummary(prisma: PrismaClient, userId: number): Promise<ProfileSummary> {
  const [balance, avatars, main, images, favorites, transcripts] = await Promise.all([
    prisma.balance.findUnique({ where: { userId }, select: { credits: true } }),
    prisma.avatar.count({ where: { userId, deletedAt: null, status: { notIn: ['FAILED', 'CANCELLED'] } } }),
    prisma.avatar.findFirst({ where: { userId, deletedAt: null, isMain: true }, select: { name: true } }),
    prisma.image.groupBy({ by: ['kind'], where: { userId, deletedAt: null }, _count: { _all: true } }),
    prisma.image.count({ where: { userId, deletedAt: null, isFavorite: true } }),
    prisma.transcript.aggregate({ where: { userId, status: { in: ['COMPLETED', 'PARTIAL'] } }, _count: { _all: true }, _sum: { durationSec: true } }),
  ]);
  const of = (kind: 'AVATAR' | 'IMAGEN4') => images.find((g) => g.kind === kind)?._count._all ?? 0;
  return {
    balance: balance?.credits ?? 0,
    avatars,
    mainAvatar: main?.name ?? null,
    images: { AVATAR: of('AVATAR'), IMAGEN4: of('IMAGEN4') },
    favorites,
    transcripts: transcripts._count._all,
    transcriptSeconds: transcripts._sum.durationSec ?? 0,
  };
}

/** Stores the language /lang chose; the language middleware reads it on every update. */
export async function setUserLanguage(prisma: PrismaClient, userId: number, language: 'ru' | 'en'): Promise<void> {
  await prisma.user.update({ where: { id: userId }, data: { language }, select: { id: true } });
}
