import type { PrismaClient } from '../prisma';

/** The user's avatars for views (never another user's: every query is scoped by userId). */
export function listAvatars(prisma: PrismaClient, userId: number) {
  return prisma.avatar.findMany({
    where: { userId, deletedAt: null },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, type: true, status: true, isMain: true, createdAt: true },
  });
}

/** An avatar only if it belongs to this user (forged ids in callback data find nothing). */
export function findOwnAvatar(prisma: PrismaClient, userId: number, avatarId: string) {
  if (!/^[0-9a-f-]{36}$/.test(avatarId)) return Promise.resolve(null);
  return prisma.avatar.findFirst({
    where: { id: avatarId, userId, deletedAt: null },
    select: { id: true, name: true, type: true, status: true, isMain: true },
  });
}

/** Makes a completed avatar the user's main one (one main per user). */
export async function setMainAvatar(prisma: PrismaClient, userId: number, avatarId: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const avatar = await tx.avatar.findFirst({ where: { id: avatarId, userId, deletedAt: null, status: 'COMPLETED' }, select: { id: true } });
    if (!avatar) return false;
    await tx.avatar.updateMany({ where: { userId, isMain: true }, data: { isMain: false } });
    await tx.avatar.update({ where: { id: avatarId }, data: { isMain: true } });
    return true;
  });
}

export async function renameAvatar(prisma: PrismaClient, userId: number, avatarId: string, name: string): Promise<boolean> {
  const r = await prisma.avatar.updateMany({ where: { id: avatarId, userId, deletedAt: null }, data: { name } });
  return r.count === 1;
}
