/**
 * Errors in OpenAI's wire shape: `{error: {message, type, param, code}}` with
 * the status code the real API uses for the same mistake.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, message, 'invalid_request_error', param, code);

export const missingParameter = (param: string) =>
  badRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');

export const modelNotFound = (model: string) =>
  new ApiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', null, 'model_not_found');

export const unauthorized = (message: string, code: string | null = null) =>
  new ApiError(401, message, 'invalid_request_error', null, code);

export const rateLimited = (model: string, retryAfterSeconds: number) =>
  new ApiError(
    429,
    `Rate limit reached for ${model} in organization org-sandbox on requests per min (RPM): Limit 3, Used 3, Requested 1. ` +
      `Please try again in ${retryAfterSeconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
    'requests',
    'requests',
    'rate_limit_exceeded',
    {
      'retry-after': String(retryAfterSeconds),
      'x-ratelimit-limit-requests': '3',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': `${retryAfterSeconds}s`,
    },
  );

export const serverError = () =>
  new ApiError(
    500,
    'The server had an error while processing your request. Sorry about that!',
    'server_error',
    null,
    null,
  );
