import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, destination };
}

describe('lib/logger', () => {
  const token = '7000000001:AAsecret-token-value-abcdefghijklmnop';
  const falKey = 'fal-key-0123456789';

  it('never writes tokens or keys, by field name or inside text', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ secrets: [token, falKey], destination });
    logger.info({ url: `https://api.telegram.org/bot${token}/sendMessage`, token, config: { apiKey: falKey } }, `calling with ${falKey}`);
    logger.error({ err: new Error(`request to /bot${token}/getMe failed`) }, 'boom');
    const out = lines.join('');
    expect(out).not.toContain(token);
    expect(out).not.toContain(falKey);
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('sendMessage');
  });

  it('child loggers carry workflowId, userId and updateId', () => {
    const { lines, destination } = capture();
    createLogger({ destination }).child({ workflowId: 'gen-1', userId: 42, updateId: 7 }).info('hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ workflowId: 'gen-1', userId: 42, updateId: 7, msg: 'hello' });
  });
});
