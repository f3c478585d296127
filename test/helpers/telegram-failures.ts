import type { InjectedFailure } from '../../sandbox/telegram/bot-api';

/** One Bot API answer of each class the activities' policy knows (activities/telegram.ts), for the sandbox's `failNext`. */
export const TELEGRAM_FAILURE_CLASSES: Record<'blocked' | 'refused' | 'rateLimited' | 'down', Omit<InjectedFailure, 'method' | 'chatId' | 'skip'>> = {
  blocked: { code: 403, description: 'Forbidden: bot was blocked by the user', times: -1 },
  refused: { code: 400, description: 'Bad Request: message is too long', times: 1 },
  rateLimited: { code: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1, times: 2 },
  down: { code: 502, description: 'Bad Gateway', times: 2 },
};
