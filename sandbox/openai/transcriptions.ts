import { decodeAudio, dominantVoice, findBursts, oggOpusSeconds, SAMPLE_RATE, steadyBursts, toSegments, type Burst, type Segment, type Voice } from './audio';
import { ApiError, badRequest, missingParameter, modelNotFound } from './errors';
import type { Part as MultipartPart } from '../multipart';
import { hash32 } from './random';

/**
 * `POST /v1/audio/transcriptions` (multipart/form-data) with the real API's
 * limits: 25 MiB per file, formats by extension and then really decoded,
 * `verbose_json`/`srt`/`vtt` only with whisper-1.
 */
export const MAX_FILE_BYTES = 25 * 1024 * 1024;
export const FORMATS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];
const TRANSCRIBE_MODEL = /^(whisper-1|gpt-4o(-mini)?-transcribe(-\d{4}-\d{2}-\d{2})?|gpt-4o-transcribe-diarize)$/;
const DIARIZE_MODEL = 'gpt-4o-transcribe-diarize';
const RESPONSE_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt', 'diarized_json'];
/** Audio longer than this needs `chunking_strategy` with the diarizing model. */
const DIARIZE_UNCHUNKED_SECONDS = 30;
const MAX_KNOWN_SPEAKERS = 4;
const LANGUAGE_NAMES: Record<string, string> = {
  en: 'english', ru: 'russian', uk: 'ukrainian', de: 'german', fr: 'french', es: 'spanish', it: 'italian', pt: 'portuguese',
  tr: 'turkish', kk: 'kazakh', uz: 'uzbek', be: 'belarusian', pl: 'polish', zh: 'chinese', ja: 'japanese', ar: 'arabic', he: 'hebrew',
};

export const tooLarge = (bytesRead: number) =>
  new ApiError(413, `Maximum content size limit (${MAX_FILE_BYTES}) exceeded (${bytesRead} bytes read)`, 'server_error');

export interface TranscriptionResult {
  contentType: string;
  body: string;
  /** Seconds of audio (the latency knob scales with it). */
  duration: number;
}

const stamp = (t: number, sep: ',' | '.') => {
  const ms = Math.round(t * 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${sep}${pad(ms % 1000, 3)}`;
};

export const renderSrt = (segments: Segment[]) =>
  segments.map((s, i) => `${i + 1}\n${stamp(s.start, ',')} --> ${stamp(s.end, ',')}\n${s.text}\n`).join('\n');

export const renderVtt = (segments: Segment[]) =>
  `WEBVTT\n\n${segments.map((s) => `${stamp(s.start, '.')} --> ${stamp(s.end, '.')}\n${s.text}\n`).join('\n')}`;

/**
 * `withoutDecoding` (the `transcribeWithoutDecoding` knob, for benches): an
 * Ogg/Opus file's length is read from its container and the words are a steady
 * placeholder, so the stand-in spends no CPU per request beyond reading it.
 */
export async function createTranscription(parts: MultipartPart[], bodyBytes: number, { withoutDecoding = false } = {}): Promise<TranscriptionResult> {
  const field = (name: string) => parts.find((p) => p.name === name && p.filename === undefined)?.data.toString('utf8');
  const file = parts.find((p) => p.name === 'file');
  const model = field('model');
  if (!model) throw badRequest('you must provide a model parameter');
  if (!file) throw missingParameter('file');
  if (!TRANSCRIBE_MODEL.test(model)) throw modelNotFound(model);

  const format = field('response_format') ?? 'json';
  if (!RESPONSE_FORMATS.includes(format)) {
    throw badRequest(`Invalid value: '${format}'. Supported values are: 'json', 'text', 'srt', 'verbose_json', 'vtt' and 'diarized_json'.`, 'response_format', 'invalid_value');
  }
  const diarizing = model === DIARIZE_MODEL;
  if ((format === 'diarized_json') !== diarizing && !(diarizing && (format === 'json' || format === 'text'))) {
    throw badRequest(`response_format '${format}' is not compatible with model '${model}'.`, 'response_format', 'unsupported_value');
  }
  if (diarizing && field('prompt') !== undefined) throw badRequest('Prompt is not supported for diarization models.', 'prompt', 'unsupported_parameter');
  const speakerNames = parts.filter((p) => p.name === 'known_speaker_names[]' || p.name === 'known_speaker_names').map((p) => p.data.toString('utf8'));
  const speakerRefs = parts.filter((p) => p.name === 'known_speaker_references[]' || p.name === 'known_speaker_references').map((p) => p.data.toString('utf8'));
  if ((speakerNames.length || speakerRefs.length) && !diarizing) throw badRequest(`known_speaker_names is only supported with '${DIARIZE_MODEL}'.`, 'known_speaker_names', 'unsupported_parameter');
  if (speakerNames.length !== speakerRefs.length) throw badRequest('known_speaker_names and known_speaker_references must have the same length.', 'known_speaker_references', 'invalid_value');
  if (speakerNames.length > MAX_KNOWN_SPEAKERS) throw badRequest(`At most ${MAX_KNOWN_SPEAKERS} known speakers are supported.`, 'known_speaker_names', 'invalid_value');
  if (!diarizing && format !== 'json' && format !== 'text' && model !== 'whisper-1') {
    throw badRequest(`response_format '${format}' is not compatible with model '${model}'. Use 'json' or 'text' instead.`, 'response_format', 'unsupported_value');
  }
  const granularities = parts.filter((p) => p.name === 'timestamp_granularities[]' || p.name === 'timestamp_granularities').map((p) => p.data.toString('utf8'));
  const badGranularity = granularities.find((g) => g !== 'word' && g !== 'segment');
  if (badGranularity !== undefined) {
    throw badRequest(`Invalid value: '${badGranularity}'. Supported values are: 'word' and 'segment'.`, 'timestamp_granularities[0]', 'invalid_value');
  }
  const language = field('language');
  if (language !== undefined && !/^[a-z]{2}$/.test(language)) {
    throw badRequest(`Invalid language '${language}'. Language parameter must be specified in ISO-639-1 format.`, 'language', 'invalid_language_format');
  }

  if (file.data.length > MAX_FILE_BYTES) throw tooLarge(bodyBytes);
  const extension = (file.filename ?? '').toLowerCase().split('.').pop() ?? '';
  if (!file.filename?.includes('.') || !FORMATS.includes(extension)) {
    throw badRequest(`Invalid file format. Supported formats: [${FORMATS.map((f) => `'${f}'`).join(', ')}]`, null, null);
  }
  const containerSeconds = withoutDecoding ? oggOpusSeconds(file.data) : null;
  let duration: number;
  let bursts: Burst[];
  if (containerSeconds !== null) {
    duration = containerSeconds;
    bursts = steadyBursts(duration);
  } else {
    const samples = await decodeAudio(file.data, extension);
    duration = samples.length / SAMPLE_RATE;
    bursts = findBursts(samples);
  }
  if (duration < 0.1) throw badRequest('Audio file is too short. Minimum audio length is 0.1 seconds.', 'file', 'audio_too_short');
  if (diarizing && duration > DIARIZE_UNCHUNKED_SECONDS && field('chunking_strategy') === undefined) {
    throw badRequest('chunking_strategy is required for diarization models when the input audio is longer than 30 seconds.', 'chunking_strategy', 'missing_required_parameter');
  }
  // Each known speaker's clip: its voice is the name's (a clip of 2–10 s, as OpenAI requires).
  const known = new Map<Voice, string>();
  for (const [i, ref] of speakerRefs.entries()) {
    const m = /^data:audio\/([\w.+-]+);base64,(.+)$/s.exec(ref);
    if (!m) throw badRequest(`known_speaker_references[${i}] must be a data URL of an audio file.`, `known_speaker_references[${i}]`, 'invalid_value');
    const clip = await decodeAudio(Buffer.from(m[2]!, 'base64'), m[1] === 'mpeg' ? 'mp3' : m[1]!.replace(/^x-/, ''));
    const seconds = clip.length / SAMPLE_RATE;
    if (seconds < 2 || seconds > 10.5) throw badRequest(`known_speaker_references[${i}] must be between 2 and 10 seconds long (got ${seconds.toFixed(1)}).`, `known_speaker_references[${i}]`, 'invalid_value');
    const clipBursts = findBursts(clip);
    if (clipBursts.length) known.set(dominantVoice(clipBursts), speakerNames[i]!);
  }

  const segments = toSegments(bursts, language === 'ru' ? 'ru' : 'en');
  const text = segments.map((s) => s.text).join(' ');
  const seconds = Math.ceil(duration);
  const usage =
    model === 'whisper-1'
      ? { type: 'duration', seconds }
      : { type: 'tokens', input_tokens: seconds * 10, input_token_details: { text_tokens: 0, audio_tokens: seconds * 10 }, output_tokens: Math.ceil(text.length / 4), total_tokens: seconds * 10 + Math.ceil(text.length / 4) };

  const json = (value: unknown) => ({ contentType: 'application/json', body: JSON.stringify(value), duration });
  const plain = (body: string) => ({ contentType: 'text/plain; charset=utf-8', body, duration });
  switch (format) {
    case 'text':
      return plain(`${text}\n`);
    case 'srt':
      return plain(renderSrt(segments));
    case 'vtt':
      return plain(renderVtt(segments));
    case 'verbose_json': {
      const wanted = granularities.length ? granularities : ['segment'];
      return json({
        task: 'transcribe',
        language: LANGUAGE_NAMES[language ?? 'en'] ?? language,
        duration: Math.round(duration * 1000) / 1000,
        text,
        ...(wanted.includes('segment')
          ? {
              segments: segments.map((s, id) => ({
                id,
                seek: Math.floor(s.start * 100),
                start: s.start,
                end: s.end,
                text: ` ${s.text}`,
                tokens: s.words.map((w) => 50_364 + (hash32(w.word) % 1000)),
                temperature: 0,
                avg_logprob: -(200 + (hash32(s.text) % 100)) / 1000,
                compression_ratio: 0.9,
                no_speech_prob: 0.01,
              })),
            }
          : {}),
        ...(wanted.includes('word') ? { words: segments.flatMap((s) => s.words) } : {}),
        usage,
      });
    }
    case 'diarized_json': {
      // Known voices get their names; the others "A", "B", … in order of first appearance (per request, as OpenAI labels them).
      const labels = new Map<Voice, string>(known);
      const labelOf = (v: Voice) => labels.get(v) ?? labels.set(v, String.fromCharCode(65 + [...labels.keys()].filter((k) => !known.has(k)).length)).get(v)!;
      return json({
        task: 'transcribe',
        duration: Math.round(duration * 1000) / 1000,
        text,
        segments: segments.map((s, i) => ({ type: 'transcript.text.segment', id: `seg_${i}`, start: s.start, end: s.end, text: s.text, speaker: labelOf(s.voice) })),
        usage,
      });
    }
    default:
      return json({ text, usage });
  }
}
