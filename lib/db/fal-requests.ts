import type { PrismaClient } from '../prisma';

/**
 * FAL requests and the workflows that submitted them. The submit activities
 * write a row as soon as FAL answers with a request id; the FAL webhook
 * endpoint forwards a delivery only to the workflow recorded for its request.
 */
export async function recordFalRequest(prisma: PrismaClient, row: { requestId: string; workflowId: string; endpoint: string }): Promise<void> {
  // An activity retried after its row was written writes nothing new.
  await prisma.falRequest.upsert({ where: { requestId: row.requestId }, create: row, update: {} });
}

/** The workflow that submitted this FAL request, or null when no workflow of ours did. */
export async function falRequestOwner(prisma: PrismaClient, requestId: string): Promise<string | null> {
  const row = await prisma.falRequest.findUnique({ where: { requestId }, select: { workflowId: true } });
  return row?.workflowId ?? null;
}
