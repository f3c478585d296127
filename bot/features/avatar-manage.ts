import { Composer, InlineKeyboard } from 'grammy';
import { callbacks } from '../../vocabulary/callback-data';
import { findOwnAvatar, listAvatars, renameAvatar, setMainAvatar } from '../../lib/db/avatars';
import { findUserByTelegramId } from '../../lib/db/users';
import type { deleteAvatarWorkflow } from '../../workflows/avatar-delete';
import { workflowIds } from '../../vocabulary/ids';
import type { AppContext } from '../context';
import { startUserWorkflow } from '../start-workflow';

/** `/avatar`: the list with status, set main, rename, delete, and the way to create one. */
export const avatarManageFeature = new Composer<AppContext>();

/** The user's avatars with their buttons and "Create": `/avatar` and the menu's 🧑‍🎨. */
export async function showAvatars(ctx: AppContext) {
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from!.id);
  if (!user) return ctx.reply(ctx.t('balance-no-user'));
  const avatars = await listAvatars(ctx.services.prisma, user.id);
  const kb = new InlineKeyboard();
  const lines = [ctx.t(avatars.length ? 'avatar-list-title' : 'avatar-list-empty')];
  for (const a of avatars) {
    lines.push(ctx.t('avatar-list-item', { main: a.isMain ? 'yes' : 'no', name: a.name, status: ctx.t(`avatar-status-${a.status}`) }));
    kb.text(`${a.isMain ? '⭐ ' : ''}${a.name}`.slice(0, 30), callbacks.avatarMain.pack({ id: a.id }))
      .text(ctx.t('button-rename'), callbacks.avatarRename.pack({ id: a.id }))
      .text(ctx.t('button-delete'), callbacks.avatarDelete.pack({ id: a.id }))
      .row();
  }
  kb.text(ctx.t('avatar-create-button'), callbacks.avatarCreate.pack({}));
  return ctx.reply(lines.join('\n'), { reply_markup: kb });
}

avatarManageFeature.command('avatar', showAvatars);

/** Every button names an avatar by id: it is looked up among this user's avatars only. */
async function own(ctx: AppContext, id: string | undefined) {
  const user = await findUserByTelegramId(ctx.services.prisma, ctx.from!.id);
  const avatar = user && id ? await findOwnAvatar(ctx.services.prisma, user.id, id) : null;
  return user && avatar ? { user, avatar } : null;
}

avatarManageFeature.callbackQuery(callbacks.avatarMain.filter, async (ctx) => {
  const found = await own(ctx, callbacks.avatarMain.unpack(ctx.callbackQuery.data)?.id);
  if (!found) return ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') });
  const ok = await setMainAvatar(ctx.services.prisma, found.user.id, found.avatar.id);
  await ctx.answerCallbackQuery({ text: ctx.t(ok ? 'avatar-main-set' : 'avatar-main-not-ready', { name: found.avatar.name }), show_alert: !ok });
});

avatarManageFeature.callbackQuery(callbacks.avatarRename.filter, async (ctx) => {
  const found = await own(ctx, callbacks.avatarRename.unpack(ctx.callbackQuery.data)?.id);
  if (!found) return ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') });
  await ctx.answerCallbackQuery();
  ctx.session = { step: 'avatar-rename', avatarId: found.avatar.id };
  await ctx.reply(ctx.t('avatar-rename-ask', { name: found.avatar.name }));
});

avatarManageFeature.on('message:text', async (ctx, next) => {
  if (ctx.session.step !== 'avatar-rename' || !ctx.session.avatarId || ctx.message.text.startsWith('/')) return next();
  const name = ctx.message.text.trim();
  if (name.length < 1 || name.length > 40 || /[\r\n]/.test(name)) return ctx.reply(ctx.t('avatar-bad-name'));
  const found = await own(ctx, ctx.session.avatarId);
  ctx.session = {};
  if (!found || !(await renameAvatar(ctx.services.prisma, found.user.id, found.avatar.id, name))) return ctx.reply(ctx.t('avatar-not-found'));
  return ctx.reply(ctx.t('avatar-renamed', { name }));
});

avatarManageFeature.callbackQuery(callbacks.avatarDelete.filter, async (ctx) => {
  const found = await own(ctx, callbacks.avatarDelete.unpack(ctx.callbackQuery.data)?.id);
  if (!found) return ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') });
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t('avatar-delete-confirm', { name: found.avatar.name }), {
    reply_markup: new InlineKeyboard().text(ctx.t('avatar-delete-yes'), callbacks.avatarDeleteConfirm.pack({ id: found.avatar.id })),
  });
});

avatarManageFeature.callbackQuery(callbacks.avatarDeleteConfirm.filter, async (ctx) => {
  const found = await own(ctx, callbacks.avatarDeleteConfirm.unpack(ctx.callbackQuery.data)?.id);
  if (!found) return ctx.answerCallbackQuery({ text: ctx.t('avatar-not-found') });
  await ctx.answerCallbackQuery();
  await startUserWorkflow<typeof deleteAvatarWorkflow>(ctx, 'deleteAvatarWorkflow', {
    workflowId: workflowIds.avatarDelete(found.avatar.id),
    kind: 'avatar_training',
    summary: `delete avatar “${found.avatar.name}”`,
    args: [{ avatarId: found.avatar.id, userId: found.user.id, chatId: ctx.chat!.id, language: ctx.language, name: found.avatar.name }],
  });
});
