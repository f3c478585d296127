import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import { createRequire } from 'node:module';
import { Server, type Upload } from '@tus/server';
import type { Logger } from '../lib/logger';
import type { Redis } from '../lib/redis';
import { uploaderFromAuthorization, UPLOAD_LINK_TTL_SECONDS, type Uploader } from '../lib/upload-auth';
import { createUploadStore } from '../lib/upload-store';
import { workflowIds } from '../vocabulary/ids';
import type { transcriptionWorkflow } from '../workflows/transcription';
import type { BotServices } from './context';
import { transcriptionInput } from './features/transcribe';
import { uploadPage } from './upload-page';
import { startJobWorkflow } from './start-workflow';

/**
 * Recordings of any size (issue 19): the Mini App page (`GET /miniapp/upload`,
 * also opened outside Telegram with a one-time link) uploads with the tus
 * resumable-upload protocol (`/uploads`, `@tus/server` with `@tus/s3-store`
 * straight into MinIO), so a dropped connection resumes where it stopped. The
 * finished object lands where a transcription keeps its source
 * (`audio/<userId>/<transcriptId>/source`), and the upload starts the same
 * `tr-<transcriptId>` workflow a voice note does: quote → confirm → charge.
 */
export const UPLOADS_PATH = '/uploads';
export const UPLOAD_PAGE_PATH = '/miniapp/upload';
export const UPLOAD_SCRIPT_PATH = '/miniapp/tus.js';
/** The page sends PATCH requests of this size: each finishes within the public listener's 30 s even at ~0.6 Mbit/s. */
export const UPLOAD_CHUNK_BYTES = 2 * 1024 * 1024;

export type UploadsHandler = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** The upload id is the object key `<userId>/<transcriptId>/source`; in URLs it travels as base64url (one path segment). */
const encodeId = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
const decodeId = (segment: string) => Buffer.from(segment, 'base64url').toString('utf8');
const OBJECT_KEY = /^(\d+)\/([0-9a-f-]{36})\/source$/;

export function createUploads(services: Pick<BotServices, 'config' | 'prisma' | 'temporal' | 'i18n'> & { redis: Redis }, logger: Logger) {
  const { config, prisma, redis } = services;
  const token = config.telegram.token;
  const tusScript = readFileSync(createRequire(import.meta.url).resolve('tus-js-client/dist/tus.min.js'), 'utf8');
  const usedLink = (nonce: string) => `aisha:upload-link:${nonce}`;

  /** The uploader of this request and their account; a tus error otherwise. */
  async function who(req: Request): Promise<Uploader & { userId: number }> {
    const uploader = uploaderFromAuthorization(req.headers.get('authorization'), token);
    if (!uploader) throw { status_code: 401, body: 'Unauthorized: open the upload page from the bot again\n' };
    const user = await prisma.user.findUnique({ where: { telegramId: BigInt(uploader.telegramId) }, select: { id: true } });
    if (!user) throw { status_code: 403, body: 'Send /start to the bot first\n' };
    return { ...uploader, userId: user.id };
  }

  const store = createUploadStore(config);
  const tus = new Server({
    path: UPLOADS_PATH,
    datastore: store,
    maxSize: config.transcription.maxUploadMb * 1024 * 1024,
    // Relative Location headers: right behind nginx or any other proxy without trusting forwarded headers.
    generateUrl: (_req, { path, id }) => `${path}/${encodeId(id)}`,
    getFileIdFromRequest: (_req, last) => (last ? decodeId(last) : undefined),
    async namingFunction(req) {
      const uploader = await who(req);
      if (uploader.linkNonce && (await redis.exists(usedLink(uploader.linkNonce)))) throw { status_code: 410, body: 'This link was used already: ask the bot for a new one\n' };
      return `${uploader.userId}/${randomUUID()}/source`;
    },
    async onIncomingRequest(req, id) {
      // Every request of an upload comes from its owner (PATCH, HEAD, DELETE name the upload in the URL).
      const uploader = await who(req);
      if (OBJECT_KEY.exec(id)?.[1] !== String(uploader.userId)) throw { status_code: 404, body: 'Upload not found\n' };
      // A client whose last PATCH got an error asks where it stands (HEAD) and, finding the upload whole, is done:
      // if the start failed then (Temporal restarting), it starts now. Starts are idempotent by workflow id.
      if (req.method === 'HEAD') await startIfWhole(uploader, id);
    },
    async onUploadFinish(req, upload) {
      const uploader = await who(req);
      if (uploader.linkNonce) await redis.set(usedLink(uploader.linkNonce), '1', 'EX', UPLOAD_LINK_TTL_SECONDS);
      await startTranscription(uploader, upload);
      return {};
    },
  });

  async function startIfWhole(uploader: Uploader & { userId: number }, id: string) {
    const transcriptId = OBJECT_KEY.exec(id)![2]!;
    if (await prisma.transcript.findUnique({ where: { id: transcriptId }, select: { id: true } })) return;
    const upload = await store.getUpload(id).catch(() => null);
    if (upload?.size !== undefined && upload.offset === upload.size) await startTranscription(uploader, upload);
  }

  async function startTranscription(uploader: Uploader & { userId: number }, upload: Upload) {
    const [, , transcriptId] = OBJECT_KEY.exec(upload.id)!;
    const user = await prisma.user.findUniqueOrThrow({ where: { id: uploader.userId }, select: { id: true, language: true, speakerLabels: true } });
    const fileName = upload.metadata?.filename ?? undefined;
    const input = await transcriptionInput(services, { ...user, telegramId: uploader.telegramId }, {
      transcriptId: transcriptId!,
      chatId: uploader.telegramId,
      // No Telegram file: the workflow finds the recording at its source key in MinIO.
      fileId: `upload:${transcriptId}`,
      fileUniqueId: `upload:${transcriptId}`,
      ...(fileName ? { fileName: fileName.slice(0, 200) } : {}),
      ...(upload.metadata?.filetype ? { mimeType: upload.metadata.filetype.slice(0, 100) } : {}),
      ...(upload.size ? { sizeBytes: Math.min(upload.size, 2 ** 31 - 1) } : {}),
    });
    await startJobWorkflow<typeof transcriptionWorkflow>(services, logger, uploader.telegramId, 'transcriptionWorkflow', {
      workflowId: workflowIds.transcription(transcriptId!),
      kind: 'transcription',
      summary: `upload${fileName ? ` “${fileName.slice(0, 60)}”` : ''}, ${((upload.size ?? 0) / 1_048_576).toFixed(1)} MB`,
      args: [input],
    });
  }

  const handler: UploadsHandler = async (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && path === UPLOAD_PAGE_PATH) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(uploadPage(config.transcription.maxUploadMb, UPLOAD_CHUNK_BYTES));
      return;
    }
    if (req.method === 'GET' && path === UPLOAD_SCRIPT_PATH) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }).end(tusScript);
      return;
    }
    await tus.handle(req, res);
  };
  return handler;
}

/** Paths the uploads handler answers (the HTTP server routes them here; nginx lets them through). */
export const isUploadsPath = (path: string) => path === UPLOAD_PAGE_PATH || path === UPLOAD_SCRIPT_PATH || path === UPLOADS_PATH || path.startsWith(`${UPLOADS_PATH}/`);
