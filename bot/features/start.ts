import { Composer } from 'grammy';
import { refreshProfileForGreeting } from '../../lib/db/users';
import { workflowIds } from '../../vocabulary/ids';
import type { OnboardingResult, onboardingWorkflow } from '../../workflows/onboarding';
import type { AppContext } from '../context';
import { mainMenuKeyboard } from '../keyboards';
import { startUserWorkflow } from '../start-workflow';

export const startFeature = new Composer<AppContext>();

/**
 * How long a /start waits for its onboarding workflow before the chat's next
 * update may run. Under the 15 s an update stays claimed (handleUpdatesOnce)
 * and grammY's 10 s webhook timeout. A greeting that takes longer (no worker
 * running) is still sent when the workflow ends, while this bot runs.
 */
const GREETING_WAIT_MS = 8000;

/**
 * `/start`. A user who was already welcomed is greeted at once from the
 * database, like /balance: nothing to grant, no workflow. Anyone else gets the
 * onboarding workflow, which creates the user and grants the welcome credits
 * once; the bot waits for its result and greets. The workflow id carries the
 * update id, so a redelivered update never starts a second run: once the user
 * is welcomed it is answered as any returning user's /start, and before that
 * (its run still going) it waits for the same run's result.
 */
startFeature.command('start', async (ctx) => {
  if (!ctx.from || ctx.chat.type !== 'private') return;
  const { config, i18n, prisma, temporal } = ctx.services;
  const name = ctx.from.first_name || ctx.from.username || '';

  if (ctx.user) {
    const known = await refreshProfileForGreeting(prisma, ctx.user.id, { username: ctx.from.username, firstName: ctx.from.first_name });
    if (known.welcomed || config.tariffs.welcomeCredits === 0) {
      await ctx.reply(ctx.t('welcome-back', { name, balance: known.balance }), { reply_markup: mainMenuKeyboard(ctx.t) });
      return;
    }
  }

  const workflowId = workflowIds.onboarding(ctx.from.id, ctx.update.update_id);
  const started = await startUserWorkflow<typeof onboardingWorkflow>(ctx, 'onboardingWorkflow', {
    workflowId,
    kind: 'onboarding',
    summary: `/start by ${ctx.from.username ? `@${ctx.from.username}` : ctx.from.first_name}`,
    args: [
      {
        telegramId: ctx.from.id,
        chatId: ctx.chat.id,
        username: ctx.from.username,
        firstName: ctx.from.first_name,
        languageCode: ctx.from.language_code,
        greetedByBot: true,
      },
    ],
  });
  const handle = started ?? temporal.workflow.getHandle<typeof onboardingWorkflow>(workflowId);

  const greet = async (result: OnboardingResult) => {
    if (result.greeted !== false) return; // a worker from before the bot greeted sent it itself
    const t = i18n.forLanguage(result.language ?? ctx.language);
    const text = result.granted > 0 ? t('welcome-new', { name, credits: result.granted, balance: result.balance }) : t('welcome-back', { name, balance: result.balance });
    await ctx.reply(text, { reply_markup: mainMenuKeyboard(t) });
  };
  const greeting = handle.result().then(greet);
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    greeting.then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), GREETING_WAIT_MS);
    }),
  ]).finally(() => clearTimeout(timer));
  if (!inTime) {
    ctx.logger.warn({ workflowId }, 'onboarding is slow; the greeting follows when it ends');
    greeting.catch((err: unknown) => ctx.logger.error({ err, workflowId }, 'greeting after a slow onboarding failed'));
  }
});
