import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getBalance, ledgerSum } from '../../lib/db/ledger';
import { createMinio } from '../../lib/minio';
import { uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';
import { buttonData, eventually, startStack, type Stack } from '../helpers/stack';

describe('image generation through the bot (FAL, OpenAI, Telegram stand-ins; real services)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { FAL_POLL_INTERVAL_SECONDS: '1', WELCOME_CREDITS: '300' } });
    Object.assign(stack.fal.knobs, { imageJobMs: 300, trainingJobMs: 1000 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const tg = () => stack.telegram;
  const msgs = (id: number) => tg().world.botMessages(id);
  const last = (id: number) => msgs(id).at(-1);
  const has = (id: number, part: string) => msgs(id).some((m) => (m.text ?? m.caption ?? '').includes(part));
  const photos = (id: number) => msgs(id).filter((m) => m.photo);
  const userOf = (id: number) => stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });

  async function onboard(id: number) {
    tg().sendText(id, '/start');
    await eventually(() => has(id, 'Привет'));
    return userOf(id);
  }

  /** Sends the command, sets the count, presses Generate. */
  async function generate(id: number, command: string, count = 1) {
    tg().sendText(id, command);
    const options = await eventually(() => msgs(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('gg:'))));
    if (count !== 1) {
      tg().pressButton(id, options.message_id, `gn:${count}`);
      await eventually(() => tg().world.find(id, options.message_id)?.reply_markup?.inline_keyboard[1]?.some((b) => b.text === `✓ ${count}`));
    }
    expect(tg().world.find(id, options.message_id)?.text).toContain('Цена:');
    tg().pressButton(id, options.message_id, buttonData(tg().world.find(id, options.message_id), 'gg'));
  }

  it('Imagen 4: an album of 2 delivered, stored in MinIO and the gallery, charged 2 × 4', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    await generate(id, '/imagen кот-астронавт в неоновом городе', 2);
    await eventually(() => photos(id).length === 2, { timeoutMs: 60_000 });
    expect(photos(id)[0]!.media_group_id).toBeTruthy();
    expect(photos(id)[0]!.caption).toContain('кот-астронавт');
    const images = await stack.prisma.image.findMany({ where: { userId: user.id } });
    expect(images).toHaveLength(2);
    expect(images[0]).toMatchObject({ kind: 'IMAGEN4', prompt: 'кот-астронавт в неоновом городе' });
    expect(images[0]!.enhancedPrompt).toMatch(/[a-z]/i);
    const minio = createMinio(stack.config.minio);
    for (const img of images) expect((await minio.statObject('generations', img.objectKey)).size).toBeGreaterThan(1000);
    await eventually(async () => (await getBalance(stack.prisma, user.id)) === 292);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(292);
    // the buttons message (sent after the album, so it may come a moment later): favourite works on one's own image
    const buttons = await eventually(() => msgs(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('if:'))));
    const fav = buttons.reply_markup!.inline_keyboard.flat().find((b) => 'callback_data' in b && b.callback_data.startsWith('if:')) as { callback_data: string };
    tg().pressButton(id, buttons.message_id, fav.callback_data);
    await eventually(async () => (await stack.prisma.image.count({ where: { userId: user.id, isFavorite: true } })) === 1);

    // 📝 shows the original and the enhanced prompt with the quality score
    const imageId = fav.callback_data.slice(3);
    tg().pressButton(id, buttons.message_id, `ip:${imageId}`);
    const view = await eventually(() => msgs(id).find((m) => m.text?.startsWith('📝 Ваш запрос')));
    expect(view.text).toContain('кот-астронавт в неоновом городе');
    expect(view.text).toMatch(/Оценка качества: \d+ из 10/);
    // 🔁 first shows the offer (one more image, its price); Create charges exactly that.
    tg().pressButton(id, buttons.message_id, `ig:${imageId}`);
    const again = await eventually(() => msgs(id).findLast((m) => m.text?.includes('кот-астронавт') && m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('gg:'))));
    expect(again.text).toContain('итого 4.');
    expect(await stack.prisma.generation.count({ where: { userId: user.id } })).toBe(1);
    tg().pressButton(id, again.message_id, buttonData(again, 'gg'));
    await eventually(() => photos(id).length === 3, { timeoutMs: 60_000 });
    await eventually(async () => (await getBalance(stack.prisma, user.id)) === 288);
    expect(await stack.prisma.generation.count({ where: { userId: user.id } })).toBe(2);
  });

  it('with the main avatar: the LoRA and trigger phrase reach FAL; the image is delivered and paid', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    // train an avatar through the real flow
    tg().sendText(id, '/avatar');
    const list = await eventually(() => msgs(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data === 'ac')));
    tg().pressButton(id, list.message_id, 'ac');
    await eventually(() => last(id)?.text?.startsWith('Какой аватар'));
    tg().pressButton(id, last(id)!.message_id, 'at:portrait');
    await eventually(() => last(id)?.text?.startsWith('Как назовём'));
    tg().sendText(id, 'Я');
    await tg().users.sendAlbum(id, await Promise.all(Array.from({ length: 10 }, (_, i) => photo(12000 + i))));
    const avatar = await eventually(() => stack.prisma.avatar.findFirst({ where: { userId: user.id, name: 'Я' } }));
    const status = await eventually(() => msgs(id).find((m) => m.text?.includes('принято 10')), { timeoutMs: 60_000 });
    tg().pressButton(id, status.message_id, `as:${avatar.id}`);
    await eventually(() => has(id, 'готов и выбран основным'), { timeoutMs: 60_000 });

    // "Avatar ready" carries a Generate button: it asks for the scene, then shows the options with the price.
    const ready = msgs(id).find((m) => m.text?.includes('готов и выбран основным'))!;
    expect(ready.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ text: '🎨 Создать изображение', callback_data: 'gq' });
    tg().pressButton(id, ready.message_id, 'gq');
    await eventually(() => last(id)?.text?.startsWith('🧑‍🎨 Что нарисовать с вашим аватаром'));
    const before = photos(id).length;
    tg().sendText(id, 'я на вершине горы');
    const options = await eventually(() => msgs(id).find((m) => m.text?.includes('С аватаром «Я»')));
    expect(options.text).toContain('Цена: 5 за изображение');
    tg().pressButton(id, options.message_id, buttonData(tg().world.find(id, options.message_id), 'gg'));
    await eventually(() => photos(id).length === before + 1, { timeoutMs: 60_000 });
    const image = await stack.prisma.image.findFirstOrThrow({ where: { userId: user.id, kind: 'AVATAR' } });
    expect(image.avatarId).toBe(avatar.id);
    expect(image.enhancedPrompt).toContain(`TOK_${avatar.id.slice(0, 8)}`);
    await eventually(async () => (await getBalance(stack.prisma, user.id)) === 300 - 150 - 5);
  });

  it('LLM down → the user\'s own prompt is used; 2 of 4 images NSFW → 2 delivered, charged for 2, told why', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    Object.assign(stack.openai.knobs, { fail5xxNext: 1000 });
    try {
      await generate(id, '/imagen закат над морем [nsfw:1,3]', 4);
      await eventually(() => has(id, 'Получилось 2 из 4'), { timeoutMs: 120_000 });
      expect(photos(id)).toHaveLength(2);
      const images = await stack.prisma.image.findMany({ where: { userId: user.id } });
      expect(images).toHaveLength(2);
      expect(images[0]!.enhancedPrompt).toBe('закат над морем [nsfw:1,3]');
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 300 - 8);
      expect(has(id, '8 кредитов возвращены')).toBe(true);
    } finally {
      Object.assign(stack.openai.knobs, { fail5xxNext: 0 });
    }
  });

  it('empty, too long, emoji-only and right-to-left prompts: a clear message or a good result, never a charge without delivery', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    tg().sendText(id, '/imagen');
    await eventually(() => has(id, 'Что нарисовать через Imagen 4?'));
    tg().sendText(id, `/imagen ${'очень длинный запрос '.repeat(250)}`);
    await eventually(() => has(id, 'Слишком длинный запрос'));
    expect(await getBalance(stack.prisma, user.id)).toBe(300);
    for (const prompt of ['🚀🌕✨', 'قطة في الفضاء']) {
      const before = photos(id).length;
      await generate(id, `/imagen ${prompt}`);
      await eventually(() => photos(id).length === before + 1, { timeoutMs: 60_000 });
    }
    await eventually(async () => (await getBalance(stack.prisma, user.id)) === 292);
    expect(await ledgerSum(stack.prisma, user.id)).toBe(292);
  });

  it('another user\'s image id forged into buttons is refused; Generate without options does nothing', async () => {
    const owner = uniqueTelegramId();
    const ownerRow = await onboard(owner);
    await generate(owner, '/imagen маяк в шторм');
    await eventually(() => photos(owner).length === 1, { timeoutMs: 60_000 });
    const image = await stack.prisma.image.findFirstOrThrow({ where: { userId: ownerRow.id } });
    const intruder = uniqueTelegramId();
    const intruderRow = await onboard(intruder);
    for (const data of [`if:${image.id}`, `ip:${image.id}`, `ig:${image.id}`, 'gg:forged00:1:0:4', 'ig:not-an-id']) tg().pressButton(intruder, last(intruder)!.message_id, data);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await stack.prisma.image.findUniqueOrThrow({ where: { id: image.id } })).toMatchObject({ isFavorite: false });
    expect(await stack.prisma.generation.count({ where: { userId: intruderRow.id } })).toBe(0);
    expect(msgs(intruder).some((m) => m.text?.includes('маяк'))).toBe(false);
    expect(await getBalance(stack.prisma, intruderRow.id)).toBe(300);
  });

  it('a low quality verdict → one free retry with a corrected prompt; charged once for what is delivered', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.fal.knobs.defectNext = 1; // the first attempt's image is judged defective
    await generate(id, '/imagen портрет девушки у окна');
    await eventually(() => photos(id).length === 1, { timeoutMs: 60_000 });
    const generation = await stack.prisma.generation.findFirstOrThrow({ where: { userId: user.id } });
    const status = await stack.temporal.workflow.getHandle(`gen-${generation.id}`).result();
    expect(status).toMatchObject({ attempts: 2, delivered: 1 });
    const image = await stack.prisma.image.findFirstOrThrow({ where: { userId: user.id } });
    expect(image.qualityScore).toBeGreaterThanOrEqual(5);
    expect(image.objectKey).toMatch(/\/2-0\.\w+$/); // the second attempt's image
    await eventually(async () => (await getBalance(stack.prisma, user.id)) === 296);
    expect(await stack.prisma.transaction.count({ where: { userId: user.id, kind: 'CHARGE' } })).toBe(1);
  });

  it('"like this photo": a photo captioned /imagen is described by vision into the prompt', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    await tg().users.sendPhoto(id, await photo(13000), { caption: '/imagen в стиле акварели' });
    const options = await eventually(() => msgs(id).find((m) => m.reply_markup?.inline_keyboard.flat().some((b) => 'callback_data' in b && b.callback_data.startsWith('gg:'))));
    tg().pressButton(id, options.message_id, buttonData(tg().world.find(id, options.message_id), 'gg'));
    await eventually(() => photos(id).length === 1, { timeoutMs: 60_000 });
    const generation = await stack.prisma.generation.findFirstOrThrow({ where: { userId: user.id } });
    expect(generation.referenceFileId).toBeTruthy();
    const image = await stack.prisma.image.findFirstOrThrow({ where: { userId: user.id } });
    expect(image.prompt).toBe('в стиле акварели');
    const requests = stack.openai.requests.map((r) => (r as { purpose?: string }).purpose);
    expect(requests).toContain('reference_description');
  });

  it('all webhooks lost and OpenAI answering 429 five times → still completes by polling and retries', async () => {
    const id = uniqueTelegramId();
    const user = await onboard(id);
    stack.fal.knobs.webhookLossRate = 1;
    Object.assign(stack.openai.knobs, { fail429Next: 5, retryAfterSeconds: 1 });
    try {
      await generate(id, '/imagen горный пейзаж');
      await eventually(() => photos(id).length === 1, { timeoutMs: 90_000 });
      const file = tg().world.files.get(photos(id)[0]!.photo!.at(-1)!.file_id)!;
      expect(['jpeg', 'png']).toContain((await sharp(file.data).metadata()).format);
      await eventually(async () => (await getBalance(stack.prisma, user.id)) === 296);
    } finally {
      stack.fal.knobs.webhookLossRate = 0;
      Object.assign(stack.openai.knobs, { fail429Next: 0 });
    }
  });
});
