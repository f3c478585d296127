import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance } from '../../lib/db/ledger';
import { createMinio } from '../../lib/minio';
import { workflowIds } from '../../vocabulary/ids';
import { uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';
import { eventually, startStack, type Stack } from '../helpers/stack';

describe('/avatar: list, main, rename, delete — only one\'s own avatars', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { FAL_POLL_INTERVAL_SECONDS: '1', WELCOME_CREDITS: '400' } });
    stack.fal.knobs.trainingJobMs = 1500;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const last = (id: number) => msgs(id).at(-1);
  const has = (id: number, part: string) => msgs(id).some((m) => m.text?.includes(part));
  const press = (id: number, data: string) => tg().pressButton(id, last(id)!.message_id, data);

  async function trainedAvatar(id: number, name: string, seed: number, finish = true): Promise<string> {
    const before = msgs(id).length;
    tg().sendText(id, '/avatar');
    await eventually(() => msgs(id).length > before);
    press(id, 'ac');
    await eventually(() => last(id)?.text?.startsWith('Какой аватар'));
    press(id, 'at:portrait');
    await eventually(() => last(id)?.text?.startsWith('Как назовём'));
    tg().sendText(id, name);
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    const avatar = await eventually(() => stack.prisma.avatar.findFirst({ where: { userId: user.id, name } }));
    await tg().users.sendAlbum(id, await Promise.all(Array.from({ length: 10 }, (_, i) => photo(seed + i))));
    const status = await eventually(() => msgs(id).find((m) => m.text?.includes(`«${name}»: принято 10`)), { timeoutMs: 60_000 });
    tg().pressButton(id, status.message_id, `as:${avatar.id}`);
    if (finish) await eventually(() => has(id, `Аватар «${name}» готов`), { timeoutMs: 60_000 });
    return avatar.id;
  }

  it('lists avatars with status and main mark; sets main; renames', async () => {
    const id = uniqueTelegramId();
    tg().sendText(id, '/start');
    await eventually(() => has(id, 'Привет'));
    const first = await trainedAvatar(id, 'Первый', 9000);
    const second = await trainedAvatar(id, 'Второй', 9100);
    expect(has(id, '✅ Аватар «Второй» готов! Сделать его основным')).toBe(true);

    tg().sendText(id, '/avatar');
    const list = await eventually(() => (last(id)?.text?.startsWith('🧑‍🎨') ? last(id) : null));
    expect(list.text).toContain('⭐ Первый — готов');
    expect(list.text).toContain('• Второй — готов');

    tg().pressButton(id, list.message_id, `am:${second}`);
    await eventually(async () => (await stack.prisma.avatar.findUniqueOrThrow({ where: { id: second } })).isMain);
    expect((await stack.prisma.avatar.findUniqueOrThrow({ where: { id: first } })).isMain).toBe(false);

    tg().pressButton(id, list.message_id, `ar:${first}`);
    await eventually(() => last(id)?.text?.startsWith('Новое имя'));
    tg().sendText(id, 'Самый первый');
    await eventually(() => last(id)?.text === 'Готово: «Самый первый».');
    expect((await stack.prisma.avatar.findUniqueOrThrow({ where: { id: first } })).name).toBe('Самый первый');
  });

  it('forged callback data naming another user\'s avatar is refused and changes nothing', async () => {
    const owner = uniqueTelegramId();
    tg().sendText(owner, '/start');
    await eventually(() => has(owner, 'Привет'));
    const avatarId = await trainedAvatar(owner, 'Чужой', 9200);
    const intruder = uniqueTelegramId();
    tg().sendText(intruder, '/start');
    await eventually(() => has(intruder, 'Привет'));
    for (const data of [`am:${avatarId}`, `ar:${avatarId}`, `ad:${avatarId}`, `ay:${avatarId}`, `as:${avatarId}`, `ax:${avatarId}`, 'ay:not-a-uuid', 'am:../../etc']) {
      tg().pressButton(intruder, last(intruder)!.message_id, data);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const avatar = await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId } });
    expect(avatar).toMatchObject({ name: 'Чужой', isMain: true, deletedAt: null, status: 'COMPLETED' });
    expect(msgs(intruder).filter((m) => m.text?.includes('Чужой'))).toHaveLength(0);
  });

  it('deleting an avatar in training cancels it with a refund and removes its files from MinIO', async () => {
    stack.fal.knobs.trainingJobMs = 60_000;
    try {
      const id = uniqueTelegramId();
      tg().sendText(id, '/start');
      await eventually(() => has(id, 'Привет'));
      const avatarId = await trainedAvatar(id, 'Удаляемый', 9300, false);
      await eventually(() => msgs(id).find((m) => m.text?.startsWith('⏳ Обучение')));
      const minioBefore = createMinio(stack.config.minio);
      let stored = 0;
      for await (const _ of minioBefore.listObjectsV2('avatars', `${(await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId } })).userId}/${avatarId}/`, true)) stored++;
      expect(stored).toBe(11); // 10 photos + the training archive
      const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
      expect(await getBalance(stack.prisma, user.id)).toBe(250);

      tg().sendText(id, '/avatar');
      const list = await eventually(() => (last(id)?.text?.startsWith('🧑‍🎨') ? last(id) : null));
      tg().pressButton(id, list.message_id, `ad:${avatarId}`);
      await eventually(() => last(id)?.text?.startsWith('Удалить аватар'));
      press(id, `ay:${avatarId}`);
      await eventually(() => has(id, 'Аватар «Удаляемый» удалён.'));
      await eventually(() => has(id, '150 кредитов возвращены'), { timeoutMs: 30_000 });
      await stack.temporal.workflow.getHandle(workflowIds.avatar(avatarId)).result();
      expect(await getBalance(stack.prisma, user.id)).toBe(400);
      const avatar = await stack.prisma.avatar.findUniqueOrThrow({ where: { id: avatarId } });
      expect(avatar.deletedAt).not.toBeNull();
      const minio = createMinio(stack.config.minio);
      const count = async () => {
        let n = 0;
        for await (const _ of minio.listObjectsV2('avatars', `${user.id}/${avatarId}/`, true)) n++;
        return n;
      };
      await eventually(async () => (await count()) === 0);
      tg().sendText(id, '/avatar');
      await eventually(() => last(id)?.text?.startsWith('У вас пока нет аватаров'));
    } finally {
      stack.fal.knobs.trainingJobMs = 1500;
    }
  });
});
