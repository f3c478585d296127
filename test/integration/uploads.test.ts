import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUploads } from '../../bot/uploads';
import { uniqueTelegramId } from '../helpers/config';
import { signInitData } from '../helpers/init-data';
import { makeSpeechAudio, type SpeechAudio } from '../helpers/speech-audio';
import { eventually, startStack, type Stack } from '../helpers/stack';

/**
 * The tus protocol by hand against the bot's uploads handler: the moments a
 * browser test cannot arrange. An upload whose last request finished the
 * file while Temporal could not start the job is not lost: the client's
 * next HEAD (what tus clients send after an error) starts it.
 */
describe('uploads (tus) when the job cannot start at the last byte', () => {
  let stack: Stack;
  let dir: string;
  let speech: SpeechAudio;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisha-uploads-test-'));
    stack = await startStack({ env: { WELCOME_CREDITS: '10' } });
    speech = await makeSpeechAudio({ seconds: 20, dir, seed: 61 });
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const find = (id: number, part: string) => stack.telegram.world.botMessages(id).find((m) => (m.text ?? '').includes(part));

  it('the last PATCH meets Temporal down (500); the client\'s HEAD on a healthy instance starts the transcription, once', async () => {
    const id = uniqueTelegramId();
    stack.telegram.sendText(id, '/start');
    await eventually(() => find(id, 'Привет'));
    const user = await stack.prisma.user.findUniqueOrThrow({ where: { telegramId: BigInt(id) } });
    const bytes = await readFile(speech.path);
    const auth = { 'tus-resumable': '1.0.0', authorization: `tma ${signInitData({ id, first_name: 'A', language_code: 'ru' })}` };

    // An instance whose Temporal connection is gone (as during a server restart), on its own port.
    const dead = new Client({ connection: await Connection.connect({ address: stack.config.temporal.address }), namespace: stack.config.temporal.namespace });
    await dead.connection.close();
    const cutOff = createUploads({ config: stack.config, prisma: stack.prisma, temporal: dead, i18n: stack.i18n, redis: stack.redis }, stack.logger);
    const server = http.createServer((req, res) => void cutOff(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const cutOffUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const created = await fetch(`${cutOffUrl}/uploads`, { method: 'POST', headers: { ...auth, 'upload-length': String(bytes.length), 'upload-metadata': `filename ${Buffer.from('call.ogg').toString('base64')}` } });
      expect(created.status).toBe(201);
      const location = created.headers.get('location')!;
      const last = await fetch(new URL(location, cutOffUrl), { method: 'PATCH', headers: { ...auth, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: bytes });
      expect(last.status).toBe(500); // the file is whole in MinIO, the job did not start
      expect(await stack.prisma.transcript.count({ where: { userId: user.id } })).toBe(0);

      // The client asks where it stands, here through the healthy instance: whole, so the job starts.
      const head = await fetch(new URL(location, stack.config.http.publicBaseUrl), { method: 'HEAD', headers: auth });
      expect(head.status).toBe(200);
      expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
      await eventually(() => find(id, 'Расшифровка готова'), { timeoutMs: 60_000 });
      // A second HEAD changes nothing: one transcript, charged once.
      await fetch(new URL(location, stack.config.http.publicBaseUrl), { method: 'HEAD', headers: auth });
      const transcripts = await stack.prisma.transcript.findMany({ where: { userId: user.id } });
      expect(transcripts).toHaveLength(1);
      expect(transcripts[0]).toMatchObject({ status: 'COMPLETED', fileName: 'call.ogg' });
      expect(await stack.prisma.transaction.count({ where: { userId: user.id, kind: 'CHARGE' } })).toBe(1);
    } finally {
      server.close();
    }
  });
});
