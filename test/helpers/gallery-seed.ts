import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../lib/prisma';
import type { Storage } from '../../lib/storage';
import { photo } from './images';

/** One seeded gallery image: its kind, how old it is, whether it is a favourite. */
export interface SeedSpec {
  kind: 'AVATAR' | 'IMAGEN4';
  /** Seconds before "now" it was created. */
  ageSeconds: number;
  favorite?: boolean;
}

export interface SeededImage extends SeedSpec {
  id: string;
  prompt: string;
  objectKey: string;
  createdAt: Date;
  bytes: Buffer;
}

/**
 * Writes images straight into the DB (a generation and an image row each)
 * and MinIO (bucket `generations`, real JPEGs), as the generation workflow
 * would have left them, without a Telegram file id. Prompts are numbered
 * ("картинка 07 …") so a test can tell which one is shown.
 */
export async function seedGallery(
  deps: { prisma: PrismaClient; storage: Storage },
  userId: number,
  specs: SeedSpec[],
  { avatarId, seed = 1, now = new Date() }: { avatarId?: string; seed?: number; now?: Date } = {},
): Promise<SeededImage[]> {
  const seeded: SeededImage[] = [];
  for (const [i, spec] of specs.entries()) {
    const generationId = randomUUID();
    const id = randomUUID();
    const prompt = `картинка ${String(i + 1).padStart(2, '0')} ${spec.kind === 'AVATAR' ? 'с аватаром' : 'imagen'}`;
    const objectKey = `${userId}/${generationId}/0.jpg`;
    const createdAt = new Date(now.getTime() - spec.ageSeconds * 1000);
    const bytes = await photo(seed * 1000 + i, { width: 480, height: 360 });
    await deps.storage.put('generations', objectKey, bytes, 'image/jpeg');
    const avatar = spec.kind === 'AVATAR' ? (avatarId ?? null) : null;
    await deps.prisma.generation.create({
      data: { id: generationId, userId, mode: spec.kind, avatarId: avatar, prompt, aspectRatio: '4:3', numImages: 1, unitPrice: 4, status: 'COMPLETED', createdAt, completedAt: createdAt },
    });
    await deps.prisma.image.create({
      data: { id, userId, generationId, position: 0, kind: spec.kind, avatarId: avatar, objectKey, width: 480, height: 360, prompt, isFavorite: spec.favorite ?? false, createdAt },
    });
    seeded.push({ ...spec, id, prompt, objectKey, createdAt, bytes });
  }
  return seeded;
}

/** A completed main avatar for seeded AVATAR images. */
export async function seedAvatar(prisma: PrismaClient, userId: number, name: string): Promise<string> {
  const avatar = await prisma.avatar.create({
    data: { userId, name, type: 'PORTRAIT', status: 'COMPLETED', isMain: true, triggerPhrase: `TOK_${randomUUID().slice(0, 8)}`, trainedAt: new Date() },
    select: { id: true },
  });
  return avatar.id;
}
