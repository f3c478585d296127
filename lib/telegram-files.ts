import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { Readable } from 'node:stream';
import { GrammyError, type Api } from 'grammy';

/**
 * Downloading files users sent to the bot: `getFile` gives a `file_path`, the
 * bytes are at `${apiRoot}/file/bot<token>/<file_path>`. Telegram's cloud Bot
 * API serves at most 20 MB to bots (a local Bot API server lifts that), so the
 * caller names its limit and a bigger file is refused before or while
 * downloading, never buffered whole.
 *
 * Errors: TelegramFileTooBigError and TelegramFileUnavailableError are final
 * answers about this file; anything else (network, 5xx, 429) is worth a retry.
 * No message here contains the download URL: it carries the bot token.
 */

/** The file is larger than the caller's limit, or Telegram refuses to serve it to bots ("file is too big"). */
export class TelegramFileTooBigError extends Error {
  constructor(
    message: string,
    readonly details: { sizeBytes?: number; maxBytes?: number } = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TelegramFileTooBigError';
  }
}

/** Telegram does not know the file (e.g. "Bad Request: invalid file_id"); retrying will not help. */
export class TelegramFileUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TelegramFileUnavailableError';
  }
}

export interface TelegramFileSource {
  token: string;
  apiRoot: string;
  /** Aborts the getFile call and the download (pass the activity's cancellation signal). */
  signal?: AbortSignal;
}

/** Resolves a file with `getFile` (checking the limit) and opens its download; the body is read by the caller. */
async function openTelegramFile(api: Api, opts: TelegramFileSource, fileId: string, maxBytes: number): Promise<{ body: ReadableStream<Uint8Array>; filePath: string }> {
  let file: Awaited<ReturnType<Api['getFile']>>;
  try {
    // grammY types its signal with the abort-controller polyfill; Node's AbortSignal is what it uses at run time.
    file = await api.getFile(fileId, opts.signal as Parameters<Api['getFile']>[1]);
  } catch (err) {
    if (err instanceof GrammyError && err.error_code === 400) {
      if (/file is too big/i.test(err.description)) throw new TelegramFileTooBigError(`Telegram refuses to serve the file: ${err.description}`, { maxBytes }, { cause: err });
      throw new TelegramFileUnavailableError(`getFile failed: ${err.description}`, { cause: err });
    }
    throw err;
  }
  if (file.file_size !== undefined && file.file_size > maxBytes) {
    throw new TelegramFileTooBigError(`file is ${file.file_size} bytes, the limit is ${maxBytes}`, { sizeBytes: file.file_size, maxBytes });
  }
  const filePath = file.file_path;
  if (!filePath) throw new TelegramFileUnavailableError('getFile returned no file_path');

  // A local Bot API server in --local mode (no 20 MB limit) answers with an absolute path on its disk, which
  // this process reads directly (mount the server's working directory at the same path).
  if (isAbsolute(filePath)) {
    const body = Readable.toWeb(createReadStream(filePath, { signal: opts.signal })) as ReadableStream<Uint8Array>;
    return { body, filePath };
  }
  const encodedPath = filePath.split('/').map(encodeURIComponent).join('/');
  const res = await fetch(`${opts.apiRoot.replace(/\/$/, '')}/file/bot${opts.token}/${encodedPath}`, { signal: opts.signal });
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new Error(`downloading ${filePath} failed with HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await res.body.cancel();
    throw new TelegramFileTooBigError(`file is ${declared} bytes, the limit is ${maxBytes}`, { sizeBytes: declared, maxBytes });
  }
  return { body: res.body, filePath };
}

/** Reads a download, refusing more than `maxBytes`; each piece goes to `sink` (memory or a file). */
async function readLimited(body: ReadableStream<Uint8Array>, maxBytes: number, sink: (piece: Buffer) => Promise<void> | void): Promise<number> {
  let received = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return received;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel();
      throw new TelegramFileTooBigError(`file exceeds the limit of ${maxBytes} bytes`, { maxBytes });
    }
    await sink(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  }
}

export async function downloadTelegramFile(api: Api, opts: TelegramFileSource, fileId: string, maxBytes: number): Promise<{ data: Buffer; filePath: string }> {
  const { body, filePath } = await openTelegramFile(api, opts, fileId, maxBytes);
  const chunks: Buffer[] = [];
  const received = await readLimited(body, maxBytes, (piece) => void chunks.push(piece));
  return { data: Buffer.concat(chunks, received), filePath };
}

/** Like downloadTelegramFile, but streams into a file on disk (audio up to a local Bot API server's 2000 MB). */
export async function downloadTelegramFileTo(api: Api, opts: TelegramFileSource, fileId: string, maxBytes: number, path: string): Promise<{ sizeBytes: number; filePath: string }> {
  const { body, filePath } = await openTelegramFile(api, opts, fileId, maxBytes);
  const out = await open(path, 'w');
  try {
    const sizeBytes = await readLimited(body, maxBytes, async (piece) => void (await out.write(piece)));
    return { sizeBytes, filePath };
  } finally {
    await out.close();
  }
}
