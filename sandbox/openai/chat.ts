import { badRequest, missingParameter, modelNotFound } from './errors';
import { analyseImage, loadImage, type ImageFacts } from './images';
import { flaggedTextCategories } from './moderations';
import { PURPOSES, plainAnswer, type ChatInput } from './purposes';
import { hash32, stableId } from './random';
import { checkStrictSchema, fillSchema } from './schema-fill';

/**
 * `POST /v1/chat/completions`, non-streaming, n = 1. Plain answers without
 * `response_format`; with `json_schema`, content that conforms to the schema,
 * shaped by the purpose named in `json_schema.name` (purposes.ts).
 */
const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'];
export const CHAT_MODEL = /^(gpt-|o\d|chatgpt-|ft:)/;
const REFUSAL = "I'm sorry, but I can't help with that request.";

type Message = { role?: unknown; content?: unknown };
type Part = { type?: unknown; text?: unknown; image_url?: { url?: unknown; detail?: unknown } };
type ResponseFormat = { type?: unknown; json_schema?: { name?: unknown; strict?: unknown; schema?: unknown } };

export interface ChatOptions {
  seed: number;
  /** Structured requests to refuse before answering normally again (a knob). */
  takeRefusal: () => boolean;
}

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

async function readMessages(messages: unknown): Promise<ChatInput & { promptTokens: number }> {
  if (messages === undefined) throw missingParameter('messages');
  if (!Array.isArray(messages) || messages.length === 0) {
    throw badRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  const system: string[] = [];
  let user = '';
  const images: ImageFacts[] = [];
  const texts: string[] = [];
  let promptTokens = 0;
  for (const [i, m] of (messages as Message[]).entries()) {
    if (!ROLES.includes(String(m?.role))) {
      throw badRequest(`Invalid value: '${String(m?.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `messages[${i}].role`, 'invalid_value');
    }
    const parts: Part[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? (m.content as Part[]) : [];
    if (m.content != null && typeof m.content !== 'string' && !Array.isArray(m.content)) {
      throw badRequest(`Invalid type for 'messages[${i}].content': expected one of a string or array of objects, but got an object instead.`, `messages[${i}].content`, 'invalid_type');
    }
    const own: string[] = [];
    for (const [j, part] of parts.entries()) {
      if (part.type === 'text' && typeof part.text === 'string') own.push(part.text);
      else if (part.type === 'image_url') {
        if (m.role !== 'user') {
          throw badRequest(`Invalid 'messages[${i}]'. Image URLs are only allowed for messages with role 'user', but this message with role '${String(m.role)}' contains an image URL.`, `messages[${i}]`, 'invalid_value');
        }
        const url = part.image_url?.url;
        if (typeof url !== 'string') throw missingParameter(`messages[${i}].content[${j}].image_url.url`);
        const facts = await analyseImage(await loadImage(url), String(part.image_url?.detail ?? 'auto'));
        images.push(facts);
        promptTokens += facts.tokens;
      } else {
        throw badRequest(`Invalid value: '${String(part.type)}'. Supported values are: 'text' and 'image_url'.`, `messages[${i}].content[${j}].type`, 'invalid_value');
      }
    }
    const text = own.join('\n');
    texts.push(text);
    promptTokens += tokens(text) + 4;
    if (m.role === 'system' || m.role === 'developer') system.push(text);
    if (m.role === 'user') user = text;
  }
  return { system: system.join('\n'), user, all: texts.join('\n'), images, promptTokens };
}

function checkParams(body: Record<string, unknown>): void {
  if (typeof body.model !== 'string' || !body.model) throw badRequest('you must provide a model parameter');
  if (!CHAT_MODEL.test(body.model)) throw modelNotFound(body.model);
  if (body.stream === true) throw badRequest('The sandbox supports stream: false only.', 'stream', 'unsupported_value');
  if (body.n != null && body.n !== 1) throw badRequest('The sandbox supports n = 1 only.', 'n', 'unsupported_value');
  const t = body.temperature;
  if (t != null && (typeof t !== 'number' || t < 0 || t > 2)) {
    throw badRequest(`Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${String(t)} instead.`, 'temperature', 'decimal_above_max_value');
  }
}

export async function createChatCompletion(body: Record<string, unknown>, opts: ChatOptions): Promise<Record<string, unknown>> {
  checkParams(body);
  const model = body.model as string;
  const format = (body.response_format ?? { type: 'text' }) as ResponseFormat;
  const input = await readMessages(body.messages);

  let content: string | null;
  let refusal: string | null = null;
  if (format.type === 'json_schema') {
    const spec = format.json_schema;
    if (!spec || typeof spec.name !== 'string') throw missingParameter('response_format.json_schema.name');
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
      throw badRequest(`Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`, 'response_format.json_schema.name', 'invalid_value');
    }
    if (spec.strict === true) checkStrictSchema(spec.schema, spec.name);
    const schema = (spec.schema ?? { type: 'object', properties: {} }) as Record<string, unknown>;
    if (opts.takeRefusal() || flaggedTextCategories(input.user).includes('sexual')) {
      content = null;
      refusal = REFUSAL;
    } else {
      const all = `${input.all}\n${JSON.stringify(schema)}`;
      const facts = PURPOSES[spec.name]?.({ ...input, all }) ?? {};
      const seed = hash32(opts.seed, model, spec.name, input.all, input.images.map((i) => i.fingerprint));
      content = JSON.stringify(fillSchema(schema, facts, seed));
    }
  } else if (format.type === 'json_object') {
    if (!/json/i.test(input.all)) {
      throw badRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages', null);
    }
    content = JSON.stringify({ answer: plainAnswer(input, model) });
  } else if (format.type === 'text') {
    content = plainAnswer(input, model);
  } else {
    throw badRequest(`Invalid value: '${String(format.type)}'. Supported values are: 'text', 'json_object', and 'json_schema'.`, 'response_format.type', 'invalid_value');
  }

  let finishReason = 'stop';
  const limit = Number(body.max_completion_tokens ?? body.max_tokens ?? Infinity);
  if (content !== null && tokens(content) > limit) {
    content = content.slice(0, Math.max(1, limit * 4));
    finishReason = 'length';
  }
  const completionTokens = tokens(content ?? refusal ?? '');
  return {
    id: `chatcmpl-${stableId(opts.seed, body, Date.now())}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal, annotations: [] }, logprobs: null, finish_reason: finishReason }],
    usage: {
      prompt_tokens: input.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: input.promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
    service_tier: 'default',
    system_fingerprint: 'fp_sandbox',
  };
}
