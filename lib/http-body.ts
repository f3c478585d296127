import type http from 'node:http';

/**
 * Reads at most `limit` bytes of a request body; null when it is larger
 * (declared by Content-Length or seen while reading). An oversized body is not
 * buffered: the caller answers 413 and drains the rest (`req.resume()`), since
 * destroying the stream here would drop the socket before the answer is written.
 */
export function readLimited(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd).off('error', onError);
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    const onError = (err: Error) => reject(err);
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

/** The nesting depth of a parsed JSON value, counted without recursion (so a hostile body cannot overflow the stack). */
export function jsonDepthExceeds(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
