import type { Storage } from '../lib/storage';
import type { PrismaClient } from '../lib/prisma';
import type { AvatarStatus as AvatarDbStatus, AvatarType, PhotoStatus } from '../generated/prisma/enums';

export interface CreateAvatarInput {
  avatarId: string;
  userId: number;
  name: string;
  kind: AvatarType;
  triggerPhrase: string;
}

export interface RecordPhotoInput {
  avatarId: string;
  fileId: string;
  fileUniqueId: string;
  status: PhotoStatus;
  rejectReason?: string;
  objectKey?: string;
  sha256?: string;
  width?: number;
  height?: number;
  sizeBytes?: number;
}

/** The avatar's rows. Every write is idempotent (activities are retried). */
export function createAvatarActivities({ prisma, storage }: { prisma: PrismaClient; storage: Storage }) {
  return {
    async createAvatar(input: CreateAvatarInput): Promise<void> {
      await prisma.avatar.upsert({
        where: { id: input.avatarId },
        create: { id: input.avatarId, userId: input.userId, name: input.name, type: input.kind, triggerPhrase: input.triggerPhrase },
        update: {},
      });
    },

    async setAvatarStatus(input: { avatarId: string; status: AvatarDbStatus; falRequestId?: string; failureReason?: string }): Promise<void> {
      await prisma.avatar.update({
        where: { id: input.avatarId },
        data: { status: input.status, falRequestId: input.falRequestId, failureReason: input.failureReason },
      });
    },

    async recordPhoto(input: RecordPhotoInput): Promise<void> {
      const data = {
        fileId: input.fileId,
        status: input.status,
        rejectReason: input.rejectReason ?? null,
        objectKey: input.objectKey ?? null,
        sha256: input.sha256 ?? null,
        width: input.width ?? null,
        height: input.height ?? null,
        sizeBytes: input.sizeBytes ?? null,
      };
      await prisma.avatarPhoto.upsert({
        where: { avatarId_fileUniqueId: { avatarId: input.avatarId, fileUniqueId: input.fileUniqueId } },
        create: { avatarId: input.avatarId, fileUniqueId: input.fileUniqueId, ...data },
        update: data,
      });
    },

    /** COMPLETED with its LoRA; becomes the main avatar when the user has none. */
    async completeAvatar(input: { avatarId: string; userId: number; loraUrl: string; configUrl?: string; loraObjectKey: string }): Promise<{ isMain: boolean }> {
      return prisma.$transaction(async (tx) => {
        const main = await tx.avatar.findFirst({ where: { userId: input.userId, isMain: true, deletedAt: null, NOT: { id: input.avatarId } }, select: { id: true } });
        const updated = await tx.avatar.update({
          where: { id: input.avatarId },
          data: {
            status: 'COMPLETED',
            loraUrl: input.loraUrl,
            configUrl: input.configUrl ?? null,
            loraObjectKey: input.loraObjectKey,
            trainedAt: new Date(),
            failureReason: null,
            ...(main ? {} : { isMain: true }),
          },
          select: { isMain: true },
        });
        return { isMain: updated.isMain };
      });
    },

    /** Deletion: the row is kept for the ledger's history (deletedAt), its files are removed from MinIO. */
    async deleteAvatarData({ avatarId, userId }: { avatarId: string; userId: number }): Promise<{ removedObjects: number }> {
      await prisma.avatar.updateMany({ where: { id: avatarId, userId }, data: { deletedAt: new Date(), isMain: false } });
      return { removedObjects: await storage.removePrefix('avatars', `${userId}/${avatarId}/`) };
    },
  };
}

export type AvatarActivities = ReturnType<typeof createAvatarActivities>;
