import { badRequest, missingParameter } from './errors';
import { analyseImage, loadImage } from './images';
import { hash32, stableId } from './random';

/**
 * `POST /v1/moderations` with omni-moderation's categories. Text is flagged
 * by a small list of obvious terms (English and Russian); an image is flagged
 * `sexual` when its top-left marker is magenta (see images.ts).
 */
export const CATEGORIES = [
  'harassment', 'harassment/threatening', 'hate', 'hate/threatening', 'illicit', 'illicit/violent',
  'self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual', 'sexual/minors', 'violence', 'violence/graphic',
] as const;
type Category = (typeof CATEGORIES)[number];
const IMAGE_CATEGORIES: Category[] = ['self-harm', 'self-harm/intent', 'self-harm/instructions', 'sexual', 'violence', 'violence/graphic'];

const stems = (...list: string[]) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${list.join('|')})\\p{L}*`, 'iu');
const TEXT_RULES: [Category, RegExp][] = [
  ['sexual', stems('nsfw', 'porn', 'nude', 'naked', 'xxx(?!\\p{L})', 'sex(?:y|ual)?(?!\\p{L})', 'erotic', 'hentai', 'порн', 'голая', 'голый', 'обнажен', 'секс', 'эроти', 'ню(?!\\p{L})')],
  ['violence', stems('kill(?:s|ed|ing)?(?!\\p{L})', 'murder', 'stab(?:s|bed|bing)?(?!\\p{L})', 'убить', 'убью', 'убий', 'зарезать')],
  ['violence/graphic', stems('gore', 'dismember', 'расчлен')],
  ['self-harm', stems('suicide', 'self-harm', 'самоубий', 'суицид')],
  ['harassment', stems('idiot', 'moron', 'идиот', 'дебил')],
  ['illicit', stems('cocaine', 'heroin', 'meth(?!\\p{L})', 'наркотик', 'кокаин', 'героин')],
];

/** Categories the text trips. */
export function flaggedTextCategories(text: string): Category[] {
  return TEXT_RULES.filter(([, re]) => re.test(text)).map(([c]) => c);
}

type Part = { type?: string; text?: unknown; image_url?: { url?: unknown } };

function result(hits: Map<Category, Set<'text' | 'image'>>, seed: number) {
  const categories = {} as Record<Category, boolean>;
  const category_scores = {} as Record<Category, number>;
  const category_applied_input_types = {} as Record<Category, string[]>;
  const types = new Set([...hits.values()].flatMap((s) => [...s]));
  CATEGORIES.forEach((c, i) => {
    categories[c] = hits.has(c);
    category_scores[c] = hits.has(c) ? 0.9 + ((seed >>> i) % 90) / 1000 : ((seed >>> i) % 97) / 100_000;
    category_applied_input_types[c] = [...(types.size ? types : ['text'])].filter((t) => t === 'text' || IMAGE_CATEGORIES.includes(c));
  });
  return { flagged: hits.size > 0, categories, category_scores, category_applied_input_types };
}

async function moderateOne(parts: Part[], allowImages: boolean, model: string) {
  const hits = new Map<Category, Set<'text' | 'image'>>();
  const mark = (c: Category, t: 'text' | 'image') => hits.set(c, (hits.get(c) ?? new Set()).add(t));
  const seedParts: unknown[] = [];
  for (const [i, part] of parts.entries()) {
    if (part.type === 'text' && typeof part.text === 'string') {
      for (const c of flaggedTextCategories(part.text)) mark(c, 'text');
      seedParts.push(part.text);
    } else if (part.type === 'image_url' && typeof part.image_url?.url === 'string') {
      if (!allowImages) throw badRequest(`Model ${model} does not support image inputs.`, 'input', 'invalid_value');
      const facts = await analyseImage(await loadImage(part.image_url.url));
      if (facts.marker === 'magenta') mark('sexual', 'image');
      seedParts.push(facts.fingerprint);
    } else {
      throw badRequest(`Invalid value for 'input[${i}]': expected a text or image_url content part.`, 'input', 'invalid_value');
    }
  }
  return result(hits, hash32(seedParts));
}

export async function createModeration(body: Record<string, unknown>) {
  const model = typeof body.model === 'string' ? body.model : 'omni-moderation-latest';
  if (!/^(omni-moderation|text-moderation)-/.test(model)) {
    throw badRequest(`Invalid model '${model}'. Supported models: omni-moderation-latest, omni-moderation-2024-09-26, text-moderation-latest, text-moderation-stable.`, 'model', 'invalid_value');
  }
  const input = body.input;
  if (input === undefined) throw missingParameter('input');
  const allowImages = model.startsWith('omni');
  let results;
  if (typeof input === 'string') results = [await moderateOne([{ type: 'text', text: input }], allowImages, model)];
  else if (Array.isArray(input) && input.length && input.every((x) => typeof x === 'string')) {
    results = await Promise.all(input.map((text) => moderateOne([{ type: 'text', text }], allowImages, model)));
  } else if (Array.isArray(input) && input.length && input.every((x) => typeof x === 'object' && x !== null)) {
    results = [await moderateOne(input as Part[], allowImages, model)];
  } else {
    throw badRequest("Invalid value for 'input': expected a string, an array of strings or an array of content parts.", 'input', 'invalid_value');
  }
  return { id: `modr-${stableId(model, input)}`, model, results };
}
