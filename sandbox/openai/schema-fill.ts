import { badRequest } from './errors';
import { prng } from './random';

/**
 * Produces a value that conforms to a JSON Schema (the subset Structured
 * Outputs accepts: object/array/string/enum/const/number/integer/boolean/null,
 * anyOf/oneOf/allOf, $ref/$defs, min/max bounds, a few string formats),
 * deterministically for a seed. `facts` are preferred values by property name
 * (matched loosely: `faceCount`, `face_count`, `is_face_count` are the same);
 * a fact is used only when it fits the property's schema, otherwise the
 * generic generator fills the property. `pattern` is not honoured.
 */
type Schema = Record<string, unknown>;
export type Facts = Record<string, unknown>;

const isObj = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v);
const norm = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
const PREFIXES = ['is', 'has', 'numberof', 'num', 'contains', 'total'];

const WORDS = ['amber', 'river', 'quiet', 'silver', 'morning', 'garden', 'lantern', 'harbor', 'meadow', 'crystal', 'velvet', 'summit'];

class Filler {
  private readonly facts = new Map<string, unknown>();
  private readonly rand: () => number;

  constructor(
    private readonly root: Schema,
    facts: Facts,
    seed: number,
  ) {
    for (const [k, v] of Object.entries(facts)) if (v !== undefined) this.facts.set(norm(k), v);
    this.rand = prng(seed);
  }

  private resolve(node: unknown, depth = 0): Schema {
    if (!isObj(node)) return {};
    if (typeof node.$ref !== 'string' || depth > 32) return node;
    const path = node.$ref === '#' ? [] : node.$ref.replace(/^#\//, '').split('/');
    const target = path.reduce<unknown>((n, p) => (isObj(n) ? n[p.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), this.root);
    return this.resolve(target, depth + 1);
  }

  private fact(key: string): unknown {
    const n = norm(key);
    if (this.facts.has(n)) return this.facts.get(n);
    for (const p of PREFIXES) if (n.startsWith(p) && this.facts.has(n.slice(p.length))) return this.facts.get(n.slice(p.length));
    return undefined;
  }

  private types(node: Schema): string[] {
    if (Array.isArray(node.type)) return node.type as string[];
    if (typeof node.type === 'string') return [node.type];
    if (isObj(node.properties)) return ['object'];
    if (node.items !== undefined) return ['array'];
    return [];
  }

  private branches(node: Schema): Schema[] | undefined {
    const list = (node.anyOf ?? node.oneOf) as unknown[] | undefined;
    if (Array.isArray(list)) return list.map((b) => this.resolve(b));
    if (Array.isArray(node.allOf)) return [Object.assign({}, ...node.allOf.map((b) => this.resolve(b))) as Schema];
    return undefined;
  }

  generate(raw: unknown, key: string, depth = 0): unknown {
    const node = this.resolve(raw);
    if (depth > 12) return null;
    if ('const' in node) return node.const;
    if (Array.isArray(node.enum) && node.enum.length) return node.enum[Math.floor(this.rand() * node.enum.length)];
    const branches = this.branches(node);
    if (branches) {
      const nonNull = branches.filter((b) => !this.types(b).every((t) => t === 'null') || 'const' in b || 'enum' in b);
      return this.generate(nonNull[0] ?? branches[0], key, depth + 1);
    }
    const type = this.types(node).find((t) => t !== 'null') ?? (this.types(node).length ? 'null' : 'string');
    switch (type) {
      case 'object':
        return this.object(node, depth);
      case 'array': {
        const min = Number(node.minItems ?? 0);
        const max = Number(node.maxItems ?? Math.max(min, 3));
        const count = Math.min(max, Math.max(min, 1 + Math.floor(this.rand() * 2)));
        return Array.from({ length: count }, () => this.generate(node.items, key, depth + 1));
      }
      case 'integer':
      case 'number':
        return this.number(node, type === 'integer', this.rand());
      case 'boolean':
        return this.rand() < 0.5;
      case 'null':
        return null;
      default:
        return this.string(node, key);
    }
  }

  object(node: Schema, depth: number): Schema {
    const out: Schema = {};
    const props = isObj(node.properties) ? node.properties : {};
    for (const [key, prop] of Object.entries(props)) {
      const fitted = this.fit(this.fact(key), prop, depth + 1);
      out[key] = fitted === undefined ? this.generate(prop, key, depth + 1) : fitted;
    }
    return out;
  }

  private number(node: Schema, integer: boolean, r: number): number {
    const exMin = typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum : undefined;
    const exMax = typeof node.exclusiveMaximum === 'number' ? node.exclusiveMaximum : undefined;
    const step = integer ? 1 : 0.01;
    let min = typeof node.minimum === 'number' ? node.minimum : exMin !== undefined ? exMin + step : undefined;
    let max = typeof node.maximum === 'number' ? node.maximum : exMax !== undefined ? exMax - step : undefined;
    min ??= max !== undefined ? Math.min(0, max) : 0;
    max ??= min + (integer ? 10 : 1);
    if (integer) [min, max] = [Math.ceil(min), Math.floor(max)];
    let v = integer ? min + Math.floor(r * (max - min + 1)) : Math.round((min + r * (max - min)) * 100) / 100;
    if (typeof node.multipleOf === 'number' && node.multipleOf > 0) v = Math.ceil(min / node.multipleOf) * node.multipleOf;
    return Math.min(max, Math.max(min, v));
  }

  private string(node: Schema, key: string): string {
    const n = Math.floor(this.rand() * 1e6);
    const formats: Record<string, string> = {
      'date-time': new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString(),
      date: new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString().slice(0, 10),
      time: '12:00:00Z',
      email: `user${n}@example.com`,
      uri: `https://example.com/${n}`,
      url: `https://example.com/${n}`,
      uuid: `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
      hostname: `host${n}.example.com`,
      ipv4: `192.0.2.${n % 255}`,
      duration: 'PT1M',
    };
    const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase() || 'value';
    const text = formats[String(node.format)] ?? `${words} ${WORDS[n % WORDS.length]}`;
    return this.clip(text, node);
  }

  private clip(text: string, node: Schema): string {
    const min = Number(node.minLength ?? 0);
    const max = Number(node.maxLength ?? Infinity);
    let s = [...text].slice(0, max).join('');
    while ([...s].length < min) s += '.';
    return s;
  }

  /** `value` made to conform to `raw`, or undefined when it cannot be. */
  fit(value: unknown, raw: unknown, depth: number): unknown {
    if (value === undefined) return undefined;
    const node = this.resolve(raw);
    if (value === null && this.acceptsNull(node)) return null;
    if ('const' in node) return JSON.stringify(node.const) === JSON.stringify(value) ? value : undefined;
    if (Array.isArray(node.enum)) {
      const hit = node.enum.find((e) => e === value || (typeof e === 'string' && typeof value === 'string' && e.toLowerCase() === value.toLowerCase()));
      return hit;
    }
    const branches = this.branches(node);
    if (branches) {
      for (const b of branches) {
        const v = this.fit(value, b, depth + 1);
        if (v !== undefined) return v;
      }
      return undefined;
    }
    for (const type of this.types(node)) {
      const v = this.fitType(value, node, type, depth);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  private acceptsNull(node: Schema): boolean {
    if (('const' in node && node.const === null) || (Array.isArray(node.enum) && node.enum.includes(null))) return true;
    return this.types(node).includes('null') || (this.branches(node)?.some((b) => this.acceptsNull(b)) ?? false);
  }

  private fitType(value: unknown, node: Schema, type: string, depth: number): unknown {
    switch (type) {
      case 'null':
        return value === null ? null : undefined;
      case 'boolean':
        return typeof value === 'boolean' ? value : undefined;
      case 'integer':
      case 'number': {
        if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
        const v = type === 'integer' ? Math.round(value) : value;
        const min = typeof node.minimum === 'number' ? node.minimum : -Infinity;
        const max = typeof node.maximum === 'number' ? node.maximum : Infinity;
        return Math.min(max, Math.max(min, v));
      }
      case 'string':
        if (typeof value === 'string') return this.clip(value, node);
        if (value === null) return this.clip('', node);
        if (typeof value === 'number' || typeof value === 'boolean') return this.clip(String(value), node);
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return this.clip(value.join(', '), node);
        return undefined;
      case 'array': {
        if (value === null) return undefined;
        const items: unknown[] = (Array.isArray(value) ? (value as unknown[]) : [value]).map((v) => this.fit(v, node.items, depth + 1)).filter((v) => v !== undefined);
        const min = Number(node.minItems ?? 0);
        const max = Number(node.maxItems ?? Infinity);
        while (items.length < min) items.push(this.generate(node.items, 'item', depth + 1));
        return items.slice(0, max);
      }
      case 'object':
        if (!isObj(value)) return undefined;
        return new Filler(this.root, { ...Object.fromEntries(this.facts), ...value }, Math.floor(this.rand() * 2 ** 32)).object(node, depth);
      default:
        return undefined;
    }
  }
}

/** A value conforming to `schema` (the root of a json_schema response_format). */
export function fillSchema(schema: Schema, facts: Facts, seed: number): unknown {
  return new Filler(schema, facts, seed).generate(schema, 'value');
}

/** The checks OpenAI runs on a `strict: true` schema, with its error wording. */
export function checkStrictSchema(schema: unknown, name: string): void {
  const fail = (context: string[], message: string) =>
    badRequest(`Invalid schema for response_format '${name}': In context=(${context.map((c) => `'${c}'`).join(', ')}), ${message}`, 'response_format');
  if (!isObj(schema) || schema.type !== 'object') {
    throw badRequest(
      `Invalid schema for response_format '${name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${isObj(schema) ? String(schema.type) : typeof schema}"'.`,
      'response_format',
    );
  }
  const walk = (node: unknown, context: string[]): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, [...context, String(i)]));
    if (!isObj(node)) return;
    const isObjectSchema = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')) || isObj(node.properties);
    if (isObjectSchema) {
      if (node.additionalProperties !== false) throw fail(context, "'additionalProperties' is required to be supplied and to be false.");
      const keys = Object.keys(isObj(node.properties) ? node.properties : {});
      const required = Array.isArray(node.required) ? (node.required as string[]) : [];
      const missing = keys.find((k) => !required.includes(k));
      if (missing !== undefined) {
        throw fail(context, `'required' is required to be supplied and to be an array including every key in properties. Missing '${missing}'.`);
      }
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' || k === '$defs' || k === 'definitions') {
        if (isObj(v)) for (const [pk, pv] of Object.entries(v)) walk(pv, [...context, k, pk]);
      } else if (k === 'items' || k === 'anyOf' || k === 'oneOf' || k === 'allOf') {
        walk(v, [...context, k]);
      }
    }
  };
  walk(schema, []);
}
