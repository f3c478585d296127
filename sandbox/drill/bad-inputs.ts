// The drill's bad-input corpus: what a careless, curious or hostile user (or
// an outsider at the public webhooks) sends. Each case runs as a fresh user,
// so "uncharged" is simply: that user has no CHARGE in the ledger. A chat case
// is answered when the bot sent that user a new message or answered the
// button; a webhook case when nginx/the bot gave the expected status.
import { randomBytes, randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../lib/prisma';
import type { TelegramSandbox } from '../telegram/server';
import { callbackData, until } from './users';

export interface BadInputContext {
  tg: TelegramSandbox;
  prisma: PrismaClient;
  /** nginx's public listener. */
  publicUrl: string;
  webhookSecret: string;
  /** Signs a FAL webhook body with the FAL stand-in's key (a genuine signature, for replays). */
  signFal: (body: string, opts: { requestId: string; timestamp?: number }) => Record<string, string>;
  /** A real photo (valid JPEG) and a real voice note. */
  photo: Buffer;
  voice: Buffer;
}

export type BadInputResult = { answered: true } | { answered: false; why: string };

interface Pressed {
  queryId: string;
  after: number;
}
interface ChatCase {
  name: string;
  /** By design the bot stays silent (README: non-admins get no answer to /admin); then no message within 5 s is the pass. */
  silent?: boolean;
  /** Sends the input; when it pressed a button, the query id and the chat's last message id at the press. */
  send(ctx: BadInputContext, user: number): Promise<Pressed | void>;
}
interface HttpCase {
  name: string;
  http(ctx: BadInputContext): Promise<Response>;
  expect: number[];
}
export type BadInput = ({ kind: 'chat' } & ChatCase) | ({ kind: 'http' } & HttpCase);

const text = (name: string, body: string): { kind: 'chat' } & ChatCase => ({ kind: 'chat', name, send: async (c, u) => void c.tg.sendText(u, body) });
const file = (name: string, kind: 'voice' | 'audio' | 'document' | 'video_note' | 'photo', data: (c: BadInputContext) => Buffer, opts: { fileName?: string; mimeType?: string; duration?: number } = {}): BadInput => ({
  kind: 'chat',
  name,
  send: async (c, u) => {
    if (kind === 'photo') await c.tg.users.sendPhoto(u, data(c));
    else await c.tg.users.sendMedia(u, kind, data(c), opts);
  },
});

function pressNow(c: BadInputContext, user: number, messageId: number, data: string): Pressed {
  const after = c.tg.world.chatMessages(user).at(-1)?.message_id ?? 0;
  return { queryId: c.tg.pressButton(user, messageId, data).callback_query!.id, after };
}

/** Presses a button with this data on the user's last bot message (after /help, so there is one). */
const press = (name: string, data: (c: BadInputContext) => Promise<string> | string): BadInput => ({
  kind: 'chat',
  name,
  send: async (c, u) => {
    const before = c.tg.world.botMessages(u).length;
    c.tg.sendText(u, '/help');
    await until(() => c.tg.world.botMessages(u).length > before, `user ${u}: /help answered`, 30_000);
    const target = c.tg.world.botMessages(u).at(-1)!;
    return pressNow(c, u, target.message_id, await data(c));
  },
});

/** An offer for real, its button's total changed: the bot must refuse and show a fresh offer, charging nothing. */
const forgedOffer = (name: string, change: (parts: string[]) => string[]): BadInput => ({
  kind: 'chat',
  name,
  send: async (c, u) => {
    const before = c.tg.world.botMessages(u).length;
    c.tg.sendText(u, '/imagen маяк на скале');
    const offer = await until(() => c.tg.world.botMessages(u).slice(before).find((m) => callbackData(m, 'gg')), `user ${u}: offer`, 30_000);
    return pressNow(c, u, offer.message_id, change(callbackData(offer, 'gg')!.split(':')).join(':'));
  },
});

const otherUsersImage = async (c: BadInputContext) => (await c.prisma.image.findFirst({ select: { id: true }, orderBy: { createdAt: 'desc' } }))?.id ?? randomUUID();
const otherUsersAvatar = async (c: BadInputContext) => (await c.prisma.avatar.findFirst({ select: { id: true }, orderBy: { createdAt: 'desc' } }))?.id ?? randomUUID();

/** A FAL request some workflow really submitted (the drill's users make them), or an unknown id before there is one. */
const someFalRequest = async (c: BadInputContext) =>
  (await c.prisma.falRequest.findFirst({ select: { requestId: true, workflowId: true }, orderBy: { createdAt: 'desc' } })) ?? { requestId: randomUUID(), workflowId: `gen-${randomUUID()}` };

/** A genuinely signed FAL webhook for a real request, posted `late` seconds after it was signed, to `path` (default: its own workflow). */
const genuineFal = async (c: BadInputContext, late: number, path?: (own: string) => string) => {
  const r = await someFalRequest(c);
  const body = JSON.stringify({ request_id: r.requestId, gateway_request_id: r.requestId, status: 'OK', payload: { images: [] } });
  const headers = c.signFal(body, { requestId: r.requestId, timestamp: Math.floor(Date.now() / 1000) - late });
  return post(c, path ? path(r.workflowId) : `/webhooks/fal/${r.workflowId}`, body, headers);
};

/** An offer, then a newer one: the first offer's button is stale and must say so, charging nothing. */
const staleOffer: BadInput = {
  kind: 'chat',
  name: 'stale offer button (a newer offer replaced it)',
  send: async (c, u) => {
    const offers = () => c.tg.world.botMessages(u).filter((m) => callbackData(m, 'gg'));
    const before = offers().length;
    c.tg.sendText(u, '/imagen маяк на скале');
    await until(() => offers().length > before, `user ${u}: first offer`, 30_000);
    const first = offers().at(-1)!;
    c.tg.sendText(u, '/imagen кот в шляпе');
    await until(() => offers().length > before + 1, `user ${u}: second offer`, 30_000);
    return pressNow(c, u, first.message_id, callbackData(first, 'gg')!);
  },
};

const post = (c: BadInputContext, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${c.publicUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

export const BAD_INPUTS: readonly BadInput[] = [
  // Prompts and text
  text('empty /imagen', '/imagen'),
  text('whitespace /imagen', '/imagen    \t  '),
  text('huge /imagen prompt (4000 chars)', `/imagen ${'очень длинный промпт '.repeat(190)}`),
  text('emoji-only prompt', '/imagen 🦄🌈🔥🐉✨'),
  text('RTL prompt', '/imagen قطة على سطح القمر'),
  text('bidi override prompt', '/imagen \u202Eкот\u202C в шляпе'),
  text('zero-width prompt', '/imagen \u200b\u200b\u200b'),
  text('control characters in a prompt', '/imagen кот\u0007\u0000\u001b[31m'),
  text('/generate without an avatar', '/generate кот в космосе'),
  text('empty /generate', '/generate'),
  text('plain text outside any flow', 'привет, что ты умеешь?'),
  text('unknown command', '/foobar'),
  text('unknown command with args', '/rm -rf /'),
  text('4096 characters of text', 'ж'.repeat(4096)),
  text('SQL in text', "'; DROP TABLE users; --"),
  text('/cancel with nothing to cancel', '/cancel'),
  text('/jobs with no jobs', '/jobs'),
  { ...text('/admin as a non-admin (silence by design)', '/admin'), silent: true },
  // Files
  file('corrupt voice note (random bytes)', 'voice', () => randomBytes(30_000), { mimeType: 'audio/ogg', duration: 12 }),
  file('text file named .mp3', 'document', () => Buffer.from('Это не аудио.\n'.repeat(200)), { fileName: 'lecture.mp3', mimeType: 'audio/mpeg' }),
  file('random bytes as an audio file', 'audio', () => randomBytes(50_000), { fileName: 'song.mp3', mimeType: 'audio/mpeg', duration: 95 }),
  file('tiny audio file (10 bytes)', 'audio', () => randomBytes(10), { fileName: 'x.ogg', mimeType: 'audio/ogg', duration: 1 }),
  file('corrupt video note', 'video_note', () => randomBytes(20_000), { duration: 5 }),
  file('photo outside the avatar flow', 'photo', (c) => c.photo),
  file('zip document', 'document', () => randomBytes(4000), { fileName: 'photos.zip', mimeType: 'application/zip' }),
  file('executable document', 'document', () => randomBytes(4000), { fileName: 'setup.exe', mimeType: 'application/x-msdownload' }),
  file('JPEG sent as a voice note', 'voice', (c) => c.photo, { mimeType: 'audio/ogg', duration: 3 }),
  file('voice note sent as a document with a .jpg name', 'document', (c) => c.voice, { fileName: 'me.jpg', mimeType: 'image/jpeg' }),
  // Buttons: forged, stale, other users' data
  press('forged generation offer', () => 'gg:forged00:1:0:4'),
  press('image button with a non-id', () => 'ig:not-an-id'),
  press('unknown button prefix', () => 'xx:garbage'),
  press('64 bytes of button data', () => 'a'.repeat(64)),
  press('button data with a colon only', () => ':'),
  press('forged top-up pack', () => 'tp:p77777'),
  press("another user's image: favourite", async (c) => `if:${await otherUsersImage(c)}`),
  press("another user's image: show prompt", async (c) => `ip:${await otherUsersImage(c)}`),
  press("another user's image: again", async (c) => `ig:${await otherUsersImage(c)}`),
  press("another user's avatar: set main", async (c) => `as:${await otherUsersAvatar(c)}`),
  press('generation count 99', () => 'gn:99'),
  press('aspect ratio 99', () => 'ga:99'),
  press('avatar type "admin"', () => 'at:admin'),
  forgedOffer('offer with total 0', (p) => [...p.slice(0, -1), '0']),
  forgedOffer('offer with total -100', (p) => [...p.slice(0, -1), '-100']),
  forgedOffer('offer with 4 images for the price of 1', (p) => [p[0]!, p[1]!, '4', ...p.slice(3)]),
  forgedOffer("offer with another draft's id", (p) => [p[0]!, 'zzzzzzzz', ...p.slice(2)]),
  staleOffer,
  // The public webhooks
  { kind: 'http', name: 'Telegram webhook without the secret', http: (c) => post(c, '/webhooks/telegram', '{"update_id":1}'), expect: [401] },
  { kind: 'http', name: 'Telegram webhook with a wrong secret', http: (c) => post(c, '/webhooks/telegram', '{"update_id":1}', { 'x-telegram-bot-api-secret-token': 'nope' }), expect: [401] },
  { kind: 'http', name: 'Telegram webhook body over 256 KiB', http: (c) => post(c, '/webhooks/telegram', 'x'.repeat(300 * 1024), { 'x-telegram-bot-api-secret-token': c.webhookSecret }), expect: [413] },
  { kind: 'http', name: 'Telegram webhook GET', http: (c) => fetch(`${c.publicUrl}/webhooks/telegram`), expect: [403, 405] },
  { kind: 'http', name: 'FAL webhook unsigned', http: (c) => post(c, `/webhooks/fal/gen-${randomUUID()}`, '{"request_id":"x","status":"OK","payload":{}}'), expect: [401] },
  {
    kind: 'http',
    name: 'FAL webhook with a forged signature',
    http: (c) =>
      post(c, `/webhooks/fal/gen-${randomUUID()}`, '{"request_id":"x","status":"OK","payload":{}}', {
        'x-fal-webhook-request-id': 'x',
        'x-fal-webhook-user-id': 'u',
        'x-fal-webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-fal-webhook-signature': randomBytes(64).toString('hex'),
      }),
    expect: [401],
  },
  { kind: 'http', name: 'FAL webhook with broken JSON', http: (c) => post(c, `/webhooks/fal/gen-${randomUUID()}`, '{"request_id":'), expect: [400, 401] },
  // Genuine signatures, misused: replayed late (FAL's signatures are only good for minutes), re-targeted at another workflow.
  { kind: 'http', name: 'genuine FAL webhook replayed 10 minutes late', http: (c) => genuineFal(c, 600), expect: [401] },
  { kind: 'http', name: 'genuine FAL webhook re-targeted at another workflow', http: (c) => genuineFal(c, 0, () => `/webhooks/fal/gen-${randomUUID()}`), expect: [403, 404] },
  { kind: 'http', name: 'public /metrics', http: (c) => fetch(`${c.publicUrl}/metrics`), expect: [404] },
];

/** Runs one case as `user` and says whether it was answered (within 20 s, once sent again: a bot killed holding the first delays it ~15–25 s). */
export async function runBadInput(ctx: BadInputContext, user: number, input: BadInput): Promise<BadInputResult> {
  if (input.kind === 'http') {
    const res = await input.http(ctx);
    await res.arrayBuffer().catch(() => undefined);
    return input.expect.includes(res.status) ? { answered: true } : { answered: false, why: `HTTP ${res.status}, expected ${input.expect.join(' or ')}` };
  }
  // Sent twice at most: an update can die with the bot that held it (README, nginx), and a user tries again.
  for (let attempt = 1; ; attempt++) {
    const sent = ctx.tg.world.chatMessages(user).at(-1)?.message_id ?? 0;
    const pressed = await input.send(ctx, user);
    const before = pressed ? pressed.after : sent;
    if (input.silent) {
      await new Promise((r) => setTimeout(r, 5000));
      const said = ctx.tg.world.botMessages(user).some((m) => m.message_id > before && !m.system);
      return said ? { answered: false, why: 'answered where silence is the design' } : { answered: true };
    }
    try {
      await until(
        () => (pressed ? ctx.tg.world.callbackAnswers.has(pressed.queryId) : false) || ctx.tg.world.botMessages(user).some((m) => m.message_id > before && !m.system),
        input.name,
        20_000,
      );
      return { answered: true };
    } catch {
      if (attempt === 2) return { answered: false, why: 'no message or button answer within 20 s, twice' };
    }
  }
}
