import { SANDBOX_PORTS } from '../lib/config';
import { FalSandbox } from './fal/server';
import { OpenAISandbox } from './openai/server';
import { TelegramSandbox } from './telegram/server';

export { FalSandbox, OpenAISandbox, SANDBOX_PORTS, TelegramSandbox };
export const SANDBOX_TELEGRAM_TOKEN = '7000000001:AAsandbox-demo-token-0123456789abcdef';
export type SandboxName = keyof typeof SANDBOX_PORTS;

export interface RunningSandboxes {
  telegram?: TelegramSandbox;
  fal?: FalSandbox;
  openai?: OpenAISandbox;
  /** The application variables (lib/config.ts names) that wire the app to the running stand-ins. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startSandboxes(
  which: readonly SandboxName[],
  opts: { ports?: Partial<Record<SandboxName, number>>; telegramToken?: string } = {},
): Promise<RunningSandboxes> {
  const port = (name: SandboxName) => opts.ports?.[name] ?? SANDBOX_PORTS[name];
  const running: RunningSandboxes = { env: {}, stop: async () => {} };
  if (which.includes('telegram')) {
    const token = opts.telegramToken ?? SANDBOX_TELEGRAM_TOKEN;
    running.telegram = await new TelegramSandbox({ token, port: port('telegram') }).start();
    Object.assign(running.env, { TELEGRAM_BOT_TOKEN: token, TELEGRAM_API_ROOT: running.telegram.apiRoot });
  }
  if (which.includes('fal')) {
    running.fal = await new FalSandbox({ port: port('fal') }).start();
    Object.assign(running.env, {
      FAL_KEY: 'sandbox-fal-key',
      FAL_PROXY_URL: running.fal.url,
      FAL_JWKS_URL: `${running.fal.url}/.well-known/jwks.json`,
    });
  }
  if (which.includes('openai')) {
    running.openai = await new OpenAISandbox({ port: port('openai') }).start();
    Object.assign(running.env, { OPENAI_API_KEY: 'sk-sandbox-openai-key', OPENAI_BASE_URL: running.openai.baseUrl });
  }
  running.stop = async () => {
    await Promise.all([running.telegram?.stop(), running.fal?.stop(), running.openai?.stop()]);
  };
  return running;
}
