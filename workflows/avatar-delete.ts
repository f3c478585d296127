import { getExternalWorkflowHandle, log, upsertSearchAttributes } from '@temporalio/workflow';
import type { Language } from '../vocabulary/languages';
import { cancelAvatarSignal } from './avatar-api';
import { workflowIds } from '../vocabulary/ids';
import { dbActivities, telegramActivities } from './proxies';
import { JobStatusKey } from '../vocabulary/search-attributes';

/**
 * Deleting an avatar (`avatar-delete-<avatarId>`): a training still running is
 * cancelled (its own workflow refunds), then the row is marked deleted and its
 * MinIO objects are removed.
 */
export async function deleteAvatarWorkflow(input: { avatarId: string; userId: number; chatId: number; language: Language; name: string }): Promise<void> {
  try {
    await getExternalWorkflowHandle(workflowIds.avatar(input.avatarId)).signal(cancelAvatarSignal, { reason: 'deleted' });
  } catch {
    log.info('the avatar workflow had already ended', { avatarId: input.avatarId });
  }
  await dbActivities().deleteAvatarData({ avatarId: input.avatarId, userId: input.userId });
  await telegramActivities().sendMessage({ chatId: input.chatId, language: input.language, message: { key: 'avatar-deleted', params: { name: input.name } } });
  upsertSearchAttributes([{ key: JobStatusKey, value: 'completed' }]);
}
