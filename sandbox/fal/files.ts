import { randomUUID } from 'node:crypto';

/**
 * The sandbox's "CDN": generated images, LoRA weights and `fal.storage.upload`
 * uploads, served at `/files/<id>/<name>`. Like FAL's media URLs they need no
 * key; with the `fileTtlMs` knob they expire (404), as FAL's files do.
 */
export interface StoredFile {
  id: string;
  fileName: string;
  contentType: string;
  data?: Buffer;
  createdAt: number;
}

export class FileStore {
  private readonly files = new Map<string, StoredFile>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly ttlMs: () => number,
  ) {}

  urlOf(file: StoredFile): string {
    return `${this.baseUrl()}/files/${file.id}/${encodeURIComponent(file.fileName)}`;
  }

  put(data: Buffer, fileName: string, contentType: string): StoredFile & { url: string; data: Buffer } {
    const file = { id: randomUUID(), fileName, contentType, data, createdAt: Date.now() };
    this.files.set(file.id, file);
    return { ...file, url: this.urlOf(file) };
  }

  /** An empty slot for a two-step upload: PUT bytes to `uploadUrl`, read them at `fileUrl`. */
  reserve(fileName: string, contentType: string): { uploadUrl: string; fileUrl: string } {
    const file: StoredFile = { id: randomUUID(), fileName, contentType, createdAt: Date.now() };
    this.files.set(file.id, file);
    return { uploadUrl: `${this.baseUrl()}/uploads/${file.id}`, fileUrl: this.urlOf(file) };
  }

  /** Fills a reserved slot; false when there is no such slot. */
  fill(id: string, data: Buffer, contentType?: string): boolean {
    const file = this.files.get(id);
    if (!file) return false;
    file.data = data;
    if (contentType && contentType !== 'application/octet-stream') file.contentType = contentType;
    file.createdAt = Date.now();
    return true;
  }

  get(id: string): (StoredFile & { data: Buffer }) | undefined {
    const file = this.files.get(id);
    if (!file?.data) return undefined;
    const ttl = this.ttlMs();
    if (ttl > 0 && Date.now() - file.createdAt > ttl) return undefined;
    return file as StoredFile & { data: Buffer };
  }

  get size(): number {
    return this.files.size;
  }
}
