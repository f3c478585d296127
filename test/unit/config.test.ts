import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config';

const valid = {
  TELEGRAM_BOT_TOKEN: '123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345',
  DATABASE_URL: 'postgresql://aisha:aisha@127.0.0.1:5432/aisha',
  REDIS_URL: 'redis://127.0.0.1:6379',
  MINIO_ENDPOINT: '127.0.0.1',
  MINIO_ACCESS_KEY: 'aisha',
  MINIO_SECRET_KEY: 'aisha-dev-secret',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('lib/config', () => {
  it('accepts a minimal environment and fills the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config.telegram).toMatchObject({ apiRoot: 'https://api.telegram.org', mode: 'polling' });
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'aisha', maxCachedWorkflows: 250 });
    expect(config.tariffs).toMatchObject({ avatarTraining: 150, avatarImage: 5, imagenImage: 4, transcriptionMinute: 1, transcriptSummary: 2, welcomeCredits: 20 });
    expect(config.tariffs.starsPacks).toEqual([
      { id: 'p50', stars: 50, credits: 100 },
      { id: 'p250', stars: 250, credits: 550 },
      { id: 'p1000', stars: 1000, credits: 2400 },
    ]);
    expect(config.http.publicBaseUrl).toBe('http://127.0.0.1:8080');
    expect(config.secrets).toContain(valid.TELEGRAM_BOT_TOKEN);
  });

  it('names every missing and malformed variable in one error', () => {
    const found = problems({
      TELEGRAM_BOT_TOKEN: 'not-a-token',
      DATABASE_URL: 'mysql://x',
      MINIO_ENDPOINT: '127.0.0.1',
      MINIO_PORT: 'ninety',
      HTTP_PORT: '70000',
      ADMIN_TELEGRAM_IDS: '1,abc',
      STARS_PACKS: '50=100',
      PRICE_AVATAR_IMAGE: '2.5',
    });
    const names = found.map((p) => p.split(':')[0]);
    expect(names.sort()).toEqual(
      [
        'ADMIN_TELEGRAM_IDS',
        'DATABASE_URL',
        'HTTP_PORT',
        'MINIO_ACCESS_KEY',
        'MINIO_PORT',
        'MINIO_SECRET_KEY',
        'PRICE_AVATAR_IMAGE',
        'REDIS_URL',
        'STARS_PACKS',
        'TELEGRAM_BOT_TOKEN',
      ].sort(),
    );
    expect(found).toContain('REDIS_URL: missing');
    const message = new ConfigError(found).message;
    expect(message).toMatch(/^Invalid configuration \(10 problems\)/);
  });

  it('webhook mode requires the secret token and a public URL', () => {
    const found = problems({ ...valid, BOT_MODE: 'webhook' });
    expect(found).toEqual(['TELEGRAM_WEBHOOK_SECRET: missing', 'PUBLIC_BASE_URL: missing']);
    const ok = loadConfig({ ...valid, BOT_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(32), PUBLIC_BASE_URL: 'https://bot.example.com/' });
    expect(ok.http.publicBaseUrl).toBe('https://bot.example.com');
  });
});
