/** One field of a multipart/form-data body; `data` is the exact bytes (binary-safe). */
export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export function boundaryOf(contentType: string): string | undefined {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Content-Disposition / Content-Type parameters (`name="a"; filename*=UTF-8''%D0%B0.mp3`). */
function headerParams(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /;\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const key = m[1]!.toLowerCase();
    let v = m[2]!.trim();
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    if (key.endsWith('*')) {
      const ext = /^[^']*'[^']*'(.*)$/.exec(v);
      params[key.slice(0, -1)] = decodeURIComponent(ext ? ext[1]! : v);
    } else if (!(key in params)) {
      params[key] = v;
    }
  }
  return params;
}

/** A malformed body; each stand-in answers it in its own API's error shape. */
export class MultipartError extends Error {
  override name = 'MultipartError';
}
const badRequest = (message: string) => new MultipartError(message);

/**
 * Parses a multipart/form-data body (RFC 7578), binary-safe: file contents are
 * never re-encoded. Tolerant of what real clients send (quoted or unquoted
 * parameters, any header case, RFC 5987 `filename*`); throws MultipartError
 * when malformed.
 */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw badRequest('Invalid multipart/form-data request: no boundary in the Content-Type header.');
  const delimiter = Buffer.from(`--${boundary}`);
  const next = Buffer.from(`\r\n--${boundary}`);
  const parts: Part[] = [];

  let pos = body.indexOf(delimiter);
  if (pos < 0) throw badRequest('Invalid multipart/form-data request: the body has no parts.');
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts; // closing "--boundary--"
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw badRequest('Invalid multipart/form-data request: malformed boundary line.');
    const headerStart = pos + 2;
    const headerEnd = body.indexOf(HEADER_END, headerStart);
    if (headerEnd < 0) throw badRequest('Invalid multipart/form-data request: unterminated part headers.');
    const headers = new Map<string, string>();
    for (const line of body.subarray(headerStart, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const dataStart = headerEnd + HEADER_END.length;
    const dataEnd = body.indexOf(next, dataStart);
    if (dataEnd < 0) throw badRequest('Invalid multipart/form-data request: missing closing boundary.');
    const disposition = headers.get('content-disposition') ?? '';
    if (!/^form-data\b/i.test(disposition)) throw badRequest('Invalid multipart/form-data request: a part is not form-data.');
    const params = headerParams(disposition);
    if (params.name === undefined) throw badRequest('Invalid multipart/form-data request: a part has no name.');
    parts.push({
      name: params.name,
      ...(params.filename === undefined ? {} : { filename: params.filename }),
      ...(headers.has('content-type') ? { contentType: headers.get('content-type') } : {}),
      data: body.subarray(dataStart, dataEnd),
    });
    pos = dataEnd + next.length;
  }
}
