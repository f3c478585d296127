import type { ImageFacts } from './images';
import { BLUR_STDEV } from './images';
import { hash32, pick } from './random';
import type { Facts } from './schema-fill';
import { detectLanguage, findTrigger, toEnglishWords } from './translate';

/**
 * What each Structured Outputs purpose (`json_schema.name`) answers. A purpose
 * returns "facts" by property name; schema-fill.ts puts them into whatever
 * shape the caller's schema asks for and fills the rest generically.
 */
export interface ChatInput {
  /** Text of system/developer messages. */
  system: string;
  /** Text of the last user message. */
  user: string;
  /** Everything textual in the request, schema included (for trigger phrases). */
  all: string;
  images: ImageFacts[];
}

export type Purpose = (input: ChatInput) => Facts;

const CAMERAS = ['shot on ARRI Alexa 35', 'shot on Sony A7R IV', 'shot on Canon EOS R5', 'shot on Leica M11'];
const LENSES = ['85mm f/1.4 lens', '50mm f/1.2 lens', '35mm f/1.8 lens', '135mm f/2 lens'];
const LIGHTS = ['soft golden-hour light', 'dramatic rim lighting', 'diffused window light', 'moody cinematic lighting with volumetric haze'];
const COMPOSITIONS = ['rule-of-thirds composition', 'centered symmetrical composition', 'close-up framing with shallow depth of field', 'medium shot with leading lines'];
const QUALITY = 'highly detailed skin texture, sharp focus on the eyes, natural facial features';
const NEGATIVE = 'blurry, lowres, deformed hands, extra fingers, distorted eyes, asymmetrical face, watermark, text';
const LANGUAGE_NAMES: Record<string, string> = { ru: 'Russian', en: 'English', he: 'Hebrew', ar: 'Arabic' };
const MAX_SUBJECT_WORDS = 120;

/** The user's own words: the last user message without lines about the trigger phrase or a "Prompt:" label. */
function userPrompt(input: ChatInput): string {
  return input.user
    .split('\n')
    .filter((line) => !/trigger/i.test(line))
    .join('\n')
    .replace(/^\s*(?:user\s+)?prompt\s*:\s*/i, '')
    .trim();
}

const promptEnhancement: Purpose = (input) => {
  const original = userPrompt(input);
  const lang = detectLanguage(original);
  const words = toEnglishWords(original);
  const subject = words.slice(0, MAX_SUBJECT_WORDS).join(' ') || 'a portrait of a person';
  const trigger = findTrigger(input.all);
  const h = hash32(original);
  const camera = pick(CAMERAS, h);
  const lens = pick(LENSES, h >>> 3);
  const lighting = pick(LIGHTS, h >>> 6);
  const composition = pick(COMPOSITIONS, h >>> 9);
  const withTrigger = trigger && !subject.includes(trigger) ? `${trigger}, ${subject}` : subject;
  const prompt = [withTrigger, `cinematic photograph, ${camera}, ${lens}`, lighting, composition, QUALITY].join(', ');
  const notes = [
    lang === 'en' ? 'Kept the English prompt' : `Translated from ${LANGUAGE_NAMES[lang]} to English`,
    'added camera, lens, lighting and composition',
    trigger ? `included the trigger phrase "${trigger}"` : 'no trigger phrase given',
    words.length > MAX_SUBJECT_WORDS ? `shortened from ${words.length} words` : '',
  ].filter(Boolean);
  return {
    prompt, enhanced_prompt: prompt, english_prompt: prompt, positive_prompt: prompt, final_prompt: prompt, improved_prompt: prompt,
    negative_prompt: NEGATIVE, negative: NEGATIVE,
    language: lang, source_language: lang, detected_language: lang, original_language: lang,
    translated: lang !== 'en', trigger_phrase: trigger ?? null, trigger: trigger ?? null,
    subject, style: 'cinematic photography', camera, lens, lighting, composition,
    notes: `${notes.join('; ')}.`, explanation: `${notes.join('; ')}.`, changes: notes,
  };
};

type Verdict = { face_count: number; clear: boolean; blurred: boolean; occluded: boolean; explicit: boolean; reason: string };

function assess(image: ImageFacts | undefined): Verdict {
  const v: Verdict = { face_count: 1, clear: true, blurred: false, occluded: false, explicit: false, reason: 'One clear, well-lit face looking at the camera.' };
  if (!image) return { ...v, face_count: 0, clear: false, reason: 'No image was provided.' };
  switch (image.marker) {
    case 'red':
      return { ...v, face_count: 0, clear: false, reason: 'No face detected in the photo.' };
    case 'blue':
      return { ...v, face_count: 2, clear: false, reason: 'More than one face in the photo; exactly one person is needed.' };
    case 'black':
      return { ...v, clear: false, occluded: true, reason: 'The face is covered: sunglasses or heavy occlusion.' };
    case 'magenta':
      return { ...v, explicit: true, reason: 'The photo contains explicit content.' };
  }
  if (image.lumaStdev < BLUR_STDEV) return { ...v, clear: false, blurred: true, reason: 'The photo is blurred; the face is not sharp.' };
  return v;
}

const photoAssessment: Purpose = (input) => {
  const v = assess(input.images[0]);
  const acceptable = v.face_count === 1 && v.clear && !v.explicit;
  const problems = acceptable ? [] : [v.reason];
  return {
    face_count: v.face_count, faces: v.face_count, faces_count: v.face_count, face_detected: v.face_count > 0, face: v.face_count > 0,
    single_face: v.face_count === 1, one_face: v.face_count === 1, multiple_faces: v.face_count > 1,
    clear_face: v.clear, face_clear: v.clear, face_visible: v.face_count > 0 && !v.occluded,
    blurred: v.blurred, blurry: v.blurred, blur: v.blurred, sharp: !v.blurred,
    occluded: v.occluded, occlusion: v.occluded, heavy_occlusion: v.occluded, sunglasses: v.occluded, wears_sunglasses: v.occluded, face_covered: v.occluded,
    explicit: v.explicit, nsfw: v.explicit, explicit_content: v.explicit, nudity: v.explicit,
    acceptable, accepted: acceptable, ok: acceptable, suitable: acceptable, valid: acceptable, approved: acceptable, usable: acceptable, suitable_for_training: acceptable,
    reason: v.reason, explanation: v.reason, summary: v.reason, rejection_reason: acceptable ? null : v.reason,
    issues: problems, problems, reasons: problems,
  };
};

const qualityVerdict: Purpose = (input) => {
  const image = input.images[0];
  const bad = image?.marker === 'yellow';
  const score = bad ? 3 : 7 + ((image?.fingerprint ?? hash32(input.user)) % 3);
  const defects = bad ? ['distorted eyes', 'extra fingers'] : [];
  const original = userPrompt(input);
  const corrected = bad ? `${original}, symmetrical detailed eyes, anatomically correct hands with five fingers` : original;
  const summary = bad ? 'Visible anatomical defects: distorted eyes, extra fingers.' : 'Clean image with no visible defects.';
  return {
    score, quality: score, quality_score: score, rating: score, overall_score: score,
    defects, issues: defects, problems: defects, has_defects: bad,
    acceptable: !bad, passed: !bad, pass: !bad, ok: !bad, approved: !bad, retry: bad, should_retry: bad, regenerate: bad,
    corrected_prompt: corrected, improved_prompt: corrected, fixed_prompt: corrected, prompt: corrected,
    summary, explanation: summary, reason: summary, notes: summary,
  };
};

const referenceDescription: Purpose = (input) => {
  const image = input.images[0];
  if (!image) return { prompt: 'a photograph', description: 'No image was provided.' };
  const light = { dark: 'low-key dark lighting', dim: 'dim moody lighting', balanced: 'balanced natural lighting', bright: 'bright high-key lighting' }[image.brightness];
  const colours = image.colours.join(' and ');
  const prompt = `A ${image.orientation} photograph dominated by ${colours} tones, ${light}, ${image.orientation === 'portrait' ? 'vertical' : image.orientation === 'landscape' ? 'wide horizontal' : 'square'} framing, realistic photographic detail`;
  return {
    prompt, description: prompt, caption: prompt, reference_prompt: prompt,
    orientation: image.orientation, aspect_ratio: image.orientation === 'portrait' ? '3:4' : image.orientation === 'landscape' ? '4:3' : '1:1',
    brightness: image.brightness, lighting: light,
    dominant_colors: image.colours, dominant_colours: image.colours, colors: image.colours, colours: image.colours, palette: image.colours,
    width: image.width, height: image.height,
  };
};

/** Words that make a sentence a task or an agreed next step. */
const ACTION_WORDS = /(?:^|[^\p{L}])(нужно|надо|должн\p{L}*|сделаем|сделать|договорились|поручи\p{L}*|к пятнице|к понедельнику|need to|needs to|must|should|will send|will call|let's|action item|todo|by friday|by monday)(?=$|[^\p{L}])/iu;
/** Recognised text marks the spans it lost like "[не распознано: 10:02 – 19:58]". */
const GAP = /\[[^\]]*\d+:\d{2}[^\]]*\]/gu;

/** Sentences of a transcript, gaps left out, whitespace squeezed. */
function sentences(text: string): string[] {
  return text
    .replace(GAP, ' ')
    .split(/(?<=[.!?…])\s+|\n+/u)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => /\p{L}/u.test(s));
}

/** `n` items spread evenly over `list` (all of them when there are fewer), in order. */
function spread<T>(list: T[], n: number): T[] {
  if (list.length <= n) return list;
  return Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]!);
}

type PartSummary = { title?: unknown; key_points?: unknown; action_items?: unknown; language?: unknown };
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * A summary worked out from the transcript itself: the title from its first
 * sentence, key points spread over its sentences, action items from sentences
 * with task words. A user message that is a JSON list of part summaries (the
 * merge step of a long recording) is merged: points spread over all parts,
 * action items united.
 */
const transcriptSummary: Purpose = (input) => {
  let parts: PartSummary[] | null = null;
  try {
    const parsed: unknown = JSON.parse(input.user);
    if (Array.isArray(parsed) && parsed.every((p) => typeof p === 'object' && p !== null && 'key_points' in p)) parts = parsed as PartSummary[];
  } catch {
    // plain transcript text
  }
  if (parts) {
    const points = spread(parts.flatMap((p) => strings(p.key_points)), 7);
    const actions = [...new Set(parts.flatMap((p) => strings(p.action_items)))];
    const title = typeof parts[0]?.title === 'string' ? parts[0].title : points[0] ?? '';
    const language = typeof parts[0]?.language === 'string' ? parts[0].language : detectLanguage(points.join(' '));
    return { title, key_points: points, keypoints: points, points, action_items: actions, actions, tasks: actions, language };
  }
  const all = sentences(input.user);
  const title = all[0] ? all[0].split(' ').slice(0, 8).join(' ').replace(/[.!?…,;:]+$/u, '') : '';
  const points = spread(all, 7);
  const actions = all.filter((s) => ACTION_WORDS.test(s)).slice(0, 10);
  const language = detectLanguage(input.user);
  return { title, key_points: points, keypoints: points, points, action_items: actions, actions, tasks: actions, language };
};

/** The purposes the product uses (a contract: see README.md). Any other name gets the generic generator. */
export const PURPOSES: Record<string, Purpose> = {
  prompt_enhancement: promptEnhancement,
  photo_assessment: photoAssessment,
  quality_verdict: qualityVerdict,
  reference_description: referenceDescription,
  transcript_summary: transcriptSummary,
};

/** A plain-text answer (no response_format). */
export function plainAnswer(input: ChatInput, model: string): string {
  const words = input.user.trim().split(/\s+/).filter(Boolean);
  const quote = words.slice(0, 40).join(' ') + (words.length > 40 ? ' …' : '');
  const seen = input.images.map((i) => `a ${i.orientation} image dominated by ${i.colours.join(' and ')} tones`);
  return [
    `Sandbox answer from ${model}.`,
    quote ? `You wrote: "${quote}"` : 'Your message had no text.',
    seen.length ? `I see ${seen.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
