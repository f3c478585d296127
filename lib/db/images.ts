import type { PrismaClient } from '../prisma';

/**
 * Gallery images for the bot's views. Every query is scoped by userId: an id
 * forged into callback data that is not the user's (or not a UUID) finds nothing.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isImageId(value: string): boolean {
  return UUID.test(value);
}

/** One of the user's (not deleted) images, with what the "show prompt" view needs. */
export function findOwnImage(prisma: PrismaClient, userId: number, imageId: string) {
  if (!isImageId(imageId)) return Promise.resolve(null);
  return prisma.image.findFirst({
    where: { id: imageId, userId, deletedAt: null },
    select: { id: true, prompt: true, enhancedPrompt: true, qualityScore: true, qualityVerdict: true, isFavorite: true, generationId: true },
  });
}

/**
 * Flips the favourite mark in one conditional UPDATE (a double press cannot
 * lose a flip). Returns the new state, or null when the image is not the user's.
 */
export async function toggleFavorite(prisma: PrismaClient, userId: number, imageId: string): Promise<boolean | null> {
  if (!isImageId(imageId)) return null;
  const rows = await prisma.$queryRaw<{ is_favorite: boolean }[]>`
    UPDATE images SET is_favorite = NOT is_favorite
    WHERE id = ${imageId}::uuid AND user_id = ${userId} AND deleted_at IS NULL
    RETURNING is_favorite`;
  return rows[0]?.is_favorite ?? null;
}
