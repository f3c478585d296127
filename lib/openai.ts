import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import type { Config } from './config';

/**
 * The one OpenAI client factory, plus the Structured Outputs helper every LLM
 * call that returns data goes through (DESIGN.md, "Talking to the LLM").
 *
 * `maxRetries` defaults to 0: inside Temporal activities Temporal retries, and
 * two retry layers would multiply. Everything is passed explicitly so the SDK
 * never falls back to reading `process.env` itself.
 */
export function createOpenAI(cfg: Config['openai'], opts: { maxRetries?: number; timeoutMs?: number } = {}): OpenAI {
  if (!cfg.apiKey) throw new Error('OPENAI_API_KEY is not configured');
  return new OpenAI({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseUrl,
    organization: null,
    project: null,
    webhookSecret: null,
    maxRetries: opts.maxRetries ?? 0,
    ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
  });
}

export type StructuredOutputFailure = 'refusal' | 'truncated' | 'empty' | 'invalid_json' | 'schema_mismatch';

/** The model answered, but not with data we can use. `kind` is stable (map it to a non-retryable failure type or a fallback). */
export class StructuredOutputError extends Error {
  constructor(
    readonly kind: StructuredOutputFailure,
    message: string,
    readonly details: { name: string; refusal?: string; raw?: string | null; issues?: z.core.$ZodIssue[] } & { cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'StructuredOutputError';
  }
}

type JsonSchema = Record<string, unknown>;

/** Which object properties were optional before the strict adaptation made them required and nullable. */
type OptionalKeys = WeakMap<JsonSchema, Set<string>>;

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `z.toJSONSchema(schema)` adapted to OpenAI's strict mode: every object has
 * `additionalProperties: false` and lists every property in `required`;
 * properties that were optional become required-but-nullable (their nulls are
 * dropped again before zod validates); `oneOf` becomes `anyOf`.
 */
export function toStrictJsonSchema(schema: z.ZodType): { jsonSchema: JsonSchema; optionalKeys: OptionalKeys } {
  const optionalKeys: OptionalKeys = new WeakMap();
  const { $schema: _ignored, ...root } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as JsonSchema;
  if (root.type !== 'object') throw new Error('structured output schemas must be objects at the root');

  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (!isObject(node)) return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === 'default') continue;
      out[key === 'oneOf' ? 'anyOf' : key] = key === 'properties' || key === '$defs' ? mapValues(value, visit) : visit(value);
    }
    if (isObject(out.properties)) {
      const props = out.properties;
      const required = new Set(Array.isArray(out.required) ? (out.required as string[]) : []);
      const optional = new Set(Object.keys(props).filter((k) => !required.has(k)));
      for (const key of optional) props[key] = { anyOf: [props[key], { type: 'null' }] };
      out.required = Object.keys(props);
      out.additionalProperties = false;
      if (optional.size) optionalKeys.set(out, optional);
    } else if (out.type === 'object') {
      if (isObject(out.additionalProperties) || isObject(out.propertyNames)) {
        throw new Error('records / maps are not allowed in OpenAI strict schemas: use an array of objects');
      }
      out.properties = {};
      out.required = [];
      out.additionalProperties = false;
    }
    return out;
  };
  return { jsonSchema: visit(root) as JsonSchema, optionalKeys };
}

function mapValues(value: unknown, fn: (v: unknown) => unknown): unknown {
  return isObject(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fn(v)])) : value;
}

/** Drops `null` where the zod schema had an optional property (see toStrictJsonSchema). */
function dropNullOptionals(value: unknown, node: unknown, root: JsonSchema, optionalKeys: OptionalKeys, depth = 0): unknown {
  if (!isObject(node) || depth > 64) return value;
  const ref = typeof node.$ref === 'string' ? resolveRef(root, node.$ref) : undefined;
  if (ref) return dropNullOptionals(value, ref, root, optionalKeys, depth + 1);
  if (Array.isArray(node.anyOf)) {
    return node.anyOf.reduce<unknown>((v, branch) => dropNullOptionals(v, branch, root, optionalKeys, depth + 1), value);
  }
  if (Array.isArray(value)) return value.map((item) => dropNullOptionals(item, node.items, root, optionalKeys, depth + 1));
  if (!isObject(value) || !isObject(node.properties)) return value;
  const optional = optionalKeys.get(node);
  const out: JsonSchema = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null && optional?.has(key)) continue;
    out[key] = dropNullOptionals(v, node.properties[key], root, optionalKeys, depth + 1);
  }
  return out;
}

function resolveRef(root: JsonSchema, ref: string): unknown {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
}

export interface StructuredOutputRequest<S extends z.ZodType> {
  client: OpenAI;
  model: string;
  /** The purpose; also the contract with the sandbox (`prompt_enhancement`, `photo_assessment`, …). */
  name: string;
  schema: S;
  messages: ChatCompletionMessageParam[];
  temperature?: number;
  maxCompletionTokens?: number;
  signal?: AbortSignal;
}

/**
 * Asks for JSON that follows `schema` (Structured Outputs, strict) and returns
 * it validated by the same zod schema. API errors (rate limits, 5xx, …) are the
 * SDK's own error classes; unusable answers are StructuredOutputError.
 */
export async function structuredOutput<S extends z.ZodType>(req: StructuredOutputRequest<S>): Promise<z.output<S>> {
  const { jsonSchema, optionalKeys } = toStrictJsonSchema(req.schema);
  const completion = await req.client.chat.completions.create(
    {
      model: req.model,
      messages: req.messages,
      response_format: { type: 'json_schema', json_schema: { name: req.name, strict: true, schema: jsonSchema } },
      ...(req.temperature === undefined ? {} : { temperature: req.temperature }),
      ...(req.maxCompletionTokens === undefined ? {} : { max_completion_tokens: req.maxCompletionTokens }),
    },
    req.signal ? { signal: req.signal } : undefined,
  );
  const choice = completion.choices[0];
  const name = req.name;
  if (choice?.message.refusal) {
    throw new StructuredOutputError('refusal', `${name}: the model refused: ${choice.message.refusal}`, { name, refusal: choice.message.refusal });
  }
  const raw = choice?.message.content ?? null;
  if (choice?.finish_reason === 'length') {
    throw new StructuredOutputError('truncated', `${name}: the answer was cut off at the token limit`, { name, raw });
  }
  if (!raw) throw new StructuredOutputError('empty', `${name}: the answer has no content`, { name, raw });
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new StructuredOutputError('invalid_json', `${name}: the answer is not valid JSON`, { name, raw, cause });
  }
  const result = req.schema.safeParse(dropNullOptionals(parsed, jsonSchema, jsonSchema, optionalKeys));
  if (!result.success) {
    throw new StructuredOutputError('schema_mismatch', `${name}: the answer does not match the schema: ${z.prettifyError(result.error)}`, {
      name,
      raw,
      issues: result.error.issues,
      cause: result.error,
    });
  }
  return result.data as z.output<S>;
}
