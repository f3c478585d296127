import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI, { APIError, BadRequestError, InternalServerError, RateLimitError, toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Config } from '../../lib/config';
import { createOpenAI, StructuredOutputError, structuredOutput } from '../../lib/openai';
import { OpenAISandbox } from '../../sandbox/openai/server';
import { testConfig } from '../helpers/config';

const run = promisify(execFile);

// ---- inputs made here, following the conventions in sandbox/openai/README.md ----------------

type RGB = [number, number, number];

/** A textured 512×512 "photo" (not blurred, no marker), optionally with a 64×64 marker top-left. */
async function photo(marker?: RGB, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const size = 512;
  const px = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      px[i] = 128 + Math.round(70 * Math.sin(x / 9));
      px[i + 1] = 140 + Math.round(60 * Math.cos(y / 11));
      px[i + 2] = 120 + Math.round(50 * Math.sin((x + y) / 15));
    }
  }
  let img = sharp(px, { raw: { width: size, height: size, channels: 3 } });
  if (marker) {
    const block = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: marker[0], g: marker[1], b: marker[2] } } }).png().toBuffer();
    img = sharp(await img.png().toBuffer()).composite([{ input: block, left: 0, top: 0 }]);
  }
  return format === 'jpeg' ? img.jpeg({ quality: 85 }).toBuffer() : img.png().toBuffer();
}

const grey = () => sharp({ create: { width: 512, height: 512, channels: 3, background: { r: 128, g: 128, b: 128 } } }).png().toBuffer();
/** What our pipeline does to every photo: decode and re-encode as JPEG. */
const reencode = (buf: Buffer) => sharp(buf).jpeg({ quality: 80 }).toBuffer();
const dataUrl = (buf: Buffer, mime = 'image/png') => `data:${mime};base64,${buf.toString('base64')}`;

const RED: RGB = [255, 0, 0];
const BLUE: RGB = [0, 0, 255];
const BLACK: RGB = [0, 0, 0];
const MAGENTA: RGB = [255, 0, 255];
const YELLOW: RGB = [255, 255, 0];

/** 0.5 s tone bursts at 440, 880 and 1320 Hz starting at 0.5, 2.0 and 3.5 s (1 s of silence between). */
const BURST_STARTS = [0.5, 2.0, 3.5];
async function toneBursts(dir: string, file: string, codec: string[]): Promise<Buffer> {
  const expr = [440, 880, 1320].map((hz, i) => `between(t,${BURST_STARTS[i]},${BURST_STARTS[i]! + 0.5})*sin(2*PI*${hz}*t)`).join('+');
  const path = join(dir, file);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `aevalsrc='0.5*(${expr})':s=48000:d=5`, ...codec, path]);
  return readFile(path);
}

// ---- the sandbox and the real SDK ----------------------------------------------------------

describe('OpenAI sandbox through the real openai SDK', () => {
  let sandbox: OpenAISandbox;
  let cfg: Config['openai'];
  let client: OpenAI;
  let dir: string;

  beforeAll(async () => {
    sandbox = await new OpenAISandbox({ seed: 7 }).start();
    cfg = testConfig({ OPENAI_BASE_URL: sandbox.baseUrl, OPENAI_API_KEY: 'sk-sandbox-test-key' }).openai;
    client = createOpenAI(cfg);
    dir = await mkdtemp(join(tmpdir(), 'aisha-openai-test-'));
  });
  afterAll(async () => {
    await sandbox.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sandbox.resetKnobs();
    sandbox.clearRequests();
  });

  it('answers a plain chat request with text derived from the message', async () => {
    const res = await client.chat.completions.create({
      model: cfg.chatModel,
      messages: [{ role: 'user', content: 'Tell me about the sandbox please' }],
    });
    expect(res.choices[0]!.message.content).toContain('Tell me about the sandbox please');
    expect(res.choices[0]!.finish_reason).toBe('stop');
    expect(res.usage!.total_tokens).toBe(res.usage!.prompt_tokens + res.usage!.completion_tokens);
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
  });

  it('rejects a request without an API key in OpenAI\'s error shape', async () => {
    const res = await fetch(`${sandbox.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.message).toMatch(/didn't provide an API key/);
  });

  describe('structured outputs', () => {
    const Enhanced = z.object({
      prompt: z.string().min(1).max(2000),
      negative_prompt: z.string(),
      language: z.string(),
      notes: z.string().optional(),
    });
    const enhance = (prompt: string) =>
      structuredOutput({
        client,
        model: cfg.chatModel,
        name: 'prompt_enhancement',
        schema: Enhanced,
        messages: [
          { role: 'system', content: 'Rewrite the user prompt as an English cinematic photo prompt. Trigger phrase: TOK_anna' },
          { role: 'user', content: prompt },
        ],
      });

    it('prompt_enhancement turns a Russian prompt into an English one that keeps the subject and the trigger phrase', async () => {
      const out = await enhance('Девушка в красном платье гуляет по ночному городу под дождём 🌧️');
      expect(out.prompt.startsWith('TOK_anna')).toBe(true);
      for (const word of ['girl', 'red', 'dress', 'city', 'rain']) expect(out.prompt).toContain(word);
      expect(out.prompt).not.toMatch(/[\u0400-\u04FF]/);
      expect(out.prompt).toMatch(/lens/);
      expect(out.language).toBe('ru');
      expect(out.negative_prompt).toMatch(/blurry/);
      expect(await enhance('Девушка в красном платье гуляет по ночному городу под дождём 🌧️')).toEqual(out);
      expect(sandbox.requests.map((r) => r.purpose)).toEqual(['prompt_enhancement', 'prompt_enhancement']);
    });

    it('sends a strict schema the sandbox accepts, and a non-strict one is refused with 400', async () => {
      await enhance('кот на крыше');
      const sent = sandbox.requests[0]!.body as { response_format: { json_schema: { strict: boolean; schema: Record<string, unknown> } } };
      expect(sent.response_format.json_schema.strict).toBe(true);
      expect(sent.response_format.json_schema.schema.additionalProperties).toBe(false);
      expect(sent.response_format.json_schema.schema.required).toEqual(['prompt', 'negative_prompt', 'language', 'notes']);

      const loose = client.chat.completions.create({
        model: cfg.chatModel,
        messages: [{ role: 'user', content: 'x' }],
        response_format: { type: 'json_schema', json_schema: { name: 'loose', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } } },
      });
      await expect(loose).rejects.toBeInstanceOf(BadRequestError);
      await expect(loose).rejects.toThrow(/additionalProperties/);
    });

    it('fills any other schema with valid values (generic generator)', async () => {
      const Generic = z.object({
        title: z.string().min(3).max(12),
        rating: z.number().int().min(1).max(5),
        mood: z.enum(['calm', 'tense']),
        tags: z.array(z.string()).min(2).max(4),
        when: z.iso.datetime(),
        extra: z.object({ ok: z.boolean(), ratio: z.number().min(0).max(1) }).nullable(),
        maybe: z.string().optional(),
      });
      const out = await structuredOutput({ client, model: cfg.chatModel, name: 'something_else', schema: Generic, messages: [{ role: 'user', content: 'go' }] });
      expect(Generic.parse(out)).toEqual(out);
      expect(out.tags.length).toBeGreaterThanOrEqual(2);
    });

    it('throws typed errors for refusals, cut-off answers and schema mismatches', async () => {
      sandbox.setKnobs({ refuseNext: 1 });
      await expect(enhance('a cat')).rejects.toMatchObject({ name: 'StructuredOutputError', kind: 'refusal' });

      const cut = structuredOutput({ client, model: cfg.chatModel, name: 'prompt_enhancement', schema: Enhanced, maxCompletionTokens: 5, messages: [{ role: 'user', content: 'a cat' }] });
      await expect(cut).rejects.toMatchObject({ kind: 'truncated' });

      const Impossible = z.object({ prompt: z.string().refine((s) => s.startsWith('NEVER'), 'must start with NEVER') });
      const mismatch = structuredOutput({ client, model: cfg.chatModel, name: 'prompt_enhancement', schema: Impossible, messages: [{ role: 'user', content: 'a cat' }] });
      await expect(mismatch).rejects.toBeInstanceOf(StructuredOutputError);
      await expect(mismatch).rejects.toMatchObject({ kind: 'schema_mismatch' });
    });
  });

  describe('vision purposes decide from pixels', () => {
    const Assessment = z.object({
      face_count: z.number().int().min(0),
      clear_face: z.boolean(),
      blurred: z.boolean(),
      sunglasses: z.boolean(),
      explicit: z.boolean(),
      acceptable: z.boolean(),
      reason: z.string(),
      // optional: sent as required-but-nullable, the sandbox answers null for an acceptable photo
      rejection_reason: z.string().optional(),
    });
    const assess = (image: Buffer | string, mime = 'image/png') =>
      structuredOutput({
        client,
        model: cfg.visionModel,
        name: 'photo_assessment',
        schema: Assessment,
        messages: [
          { role: 'system', content: 'Assess this photo for avatar training.' },
          { role: 'user', content: [{ type: 'text', text: 'Photo:' }, { type: 'image_url', image_url: { url: typeof image === 'string' ? image : dataUrl(image, mime), detail: 'low' } }] },
        ],
      });

    const cases: [string, () => Promise<Buffer>, Partial<z.infer<typeof Assessment>>][] = [
      ['a normal photo: one clear face, acceptable', () => photo(), { face_count: 1, clear_face: true, blurred: false, acceptable: true }],
      ['a red marker: no face', () => photo(RED), { face_count: 0, acceptable: false }],
      ['a blue marker: two faces', () => photo(BLUE), { face_count: 2, acceptable: false }],
      ['a black marker: sunglasses', () => photo(BLACK), { face_count: 1, sunglasses: true, acceptable: false }],
      ['a uniform grey image: blurred', grey, { blurred: true, clear_face: false, acceptable: false }],
    ];
    for (const [label, make, expected] of cases) {
      it(`photo_assessment, ${label} (PNG and after a JPEG re-encode)`, async () => {
        const png = await make();
        expect(await assess(png, 'image/png')).toMatchObject(expected);
        expect(await assess(await reencode(png), 'image/jpeg')).toMatchObject(expected);
      });
    }

    it('drops the null of an optional field for an acceptable photo, keeps the reason for a rejected one', async () => {
      expect(await assess(await photo())).not.toHaveProperty('rejection_reason');
      expect((await assess(await photo(RED))).rejection_reason).toMatch(/No face/);
    });

    it('fetches http(s) image URLs (like presigned MinIO links) and reports unreachable ones', async () => {
      const red = await photo(RED, 'jpeg');
      const server = http.createServer((req, res) => {
        if (req.url === '/red.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(red);
        else res.writeHead(404).end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      try {
        expect(await assess(`${base}/red.jpg`)).toMatchObject({ face_count: 0, acceptable: false });
        await expect(assess(`${base}/missing.jpg`)).rejects.toMatchObject({ status: 400, code: 'invalid_image_url' });
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('quality_verdict scores a yellow-marked image 3 with defects, a clean one 7–9 without', async () => {
      const Verdict = z.object({ score: z.number().int().min(1).max(10), defects: z.array(z.string()), corrected_prompt: z.string() });
      const verdict = async (image: Buffer) =>
        structuredOutput({
          client,
          model: cfg.visionModel,
          name: 'quality_verdict',
          schema: Verdict,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'portrait of a woman' }, { type: 'image_url', image_url: { url: dataUrl(image, 'image/jpeg') } }] }],
        });
      const bad = await verdict(await photo(YELLOW, 'jpeg'));
      expect(bad).toMatchObject({ score: 3, defects: ['distorted eyes', 'extra fingers'] });
      expect(bad.corrected_prompt).toMatch(/^portrait of a woman, .*hands/);
      const good = await verdict(await photo(undefined, 'jpeg'));
      expect(good.score).toBeGreaterThanOrEqual(7);
      expect(good.score).toBeLessThanOrEqual(9);
      expect(good.defects).toEqual([]);
    });

    it('reference_description describes orientation and dominant colour', async () => {
      const wideBlue = await sharp({ create: { width: 800, height: 400, channels: 3, background: { r: 30, g: 60, b: 210 } } }).jpeg().toBuffer();
      const out = await structuredOutput({
        client,
        model: cfg.visionModel,
        name: 'reference_description',
        schema: z.object({ prompt: z.string(), orientation: z.string() }),
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: dataUrl(wideBlue, 'image/jpeg') } }] }],
      });
      expect(out.orientation).toBe('landscape');
      expect(out.prompt).toMatch(/blue/);
    });
  });

  describe('audio transcriptions of real audio', () => {
    it('transcribes three tone bursts (ogg/opus and mp3) into three words with timestamps', async () => {
      const files: [string, Buffer][] = [
        ['bursts.ogg', await toneBursts(dir, 'bursts.ogg', ['-c:a', 'libopus', '-b:a', '32k'])],
        ['bursts.mp3', await toneBursts(dir, 'bursts.mp3', ['-c:a', 'libmp3lame', '-b:a', '64k'])],
      ];
      for (const [name, data] of files) {
        const res = await client.audio.transcriptions.create({
          file: await toFile(data, name),
          model: 'whisper-1',
          response_format: 'verbose_json',
          timestamp_granularities: ['word', 'segment'],
        });
        expect(res.text).toBe('World. Weather. Garden.');
        expect(res.words!.map((w) => w.word)).toEqual(['world', 'weather', 'garden']);
        expect(res.segments).toHaveLength(3);
        res.words!.forEach((w, i) => expect(Math.abs(w.start - BURST_STARTS[i]!)).toBeLessThan(0.2));
        res.segments!.forEach((s, i) => expect(Math.abs(s.start - BURST_STARTS[i]!)).toBeLessThan(0.2));
        expect(res.duration).toBeGreaterThan(4.5);
      }
    });

    it('turns synthesised speech (ffmpeg flite) into words in time order', async () => {
      const path = join(dir, 'speech.ogg');
      await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', "flite=text='Hello world. This is a test of the sandbox.':voice=slt", '-c:a', 'libopus', path]);
      const res = await client.audio.transcriptions.create({ file: await toFile(await readFile(path), 'speech.ogg'), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word'] });
      const words = res.words!;
      expect(words.length).toBeGreaterThanOrEqual(2);
      expect(res.text.length).toBeGreaterThan(0);
      for (let i = 1; i < words.length; i++) expect(words[i]!.start).toBeGreaterThan(words[i - 1]!.end);
      expect(words[words.length - 1]!.end).toBeLessThanOrEqual(res.duration);
    });

    it('speaks Russian with language=ru and renders SRT', async () => {
      const data = await toneBursts(dir, 'ru.ogg', ['-c:a', 'libopus']);
      const srt = await client.audio.transcriptions.create({ file: await toFile(data, 'голос.ogg'), model: 'whisper-1', language: 'ru', response_format: 'srt' });
      expect(srt).toMatch(/^1\n00:00:00,[45]\d\d --> 00:00:01,\d{3}\nМир\.\n\n2\n/);
      expect(srt).toContain('Погода.');
      expect(srt).toContain('Сад.');
    });

    it('rejects a text file renamed .mp3, a 26 MiB file and verbose_json with gpt-4o-transcribe', async () => {
      const text = client.audio.transcriptions.create({ file: await toFile(Buffer.from('this is not audio at all\n'.repeat(50)), 'notes.mp3'), model: 'whisper-1' });
      await expect(text).rejects.toBeInstanceOf(BadRequestError);
      await expect(text).rejects.toThrow(/could not be decoded/);

      const huge = client.audio.transcriptions.create({ file: await toFile(Buffer.alloc(26 * 1024 * 1024, 1), 'long.mp3'), model: 'whisper-1' });
      await expect(huge).rejects.toMatchObject({ status: 413 });
      await expect(huge).rejects.toThrow(/Maximum content size limit \(26214400\)/);

      const ogg = await toneBursts(dir, 'v.ogg', ['-c:a', 'libopus']);
      const verbose = client.audio.transcriptions.create({ file: await toFile(ogg, 'v.ogg'), model: 'gpt-4o-transcribe', response_format: 'verbose_json' });
      await expect(verbose).rejects.toBeInstanceOf(BadRequestError);
      const json = await client.audio.transcriptions.create({ file: await toFile(ogg, 'v.ogg'), model: 'gpt-4o-transcribe' });
      expect(json.text).toBe('World. Weather. Garden.');
    });
  });

  describe('failure knobs', () => {
    it('fail429Next: the SDK with retries honours retry-after and succeeds; without retries it throws RateLimitError', async () => {
      sandbox.setKnobs({ fail429Next: 1, retryAfterSeconds: 1 });
      const retrying = createOpenAI(cfg, { maxRetries: 2 });
      const res = await retrying.chat.completions.create({ model: cfg.chatModel, messages: [{ role: 'user', content: 'hello' }] });
      expect(res.choices[0]!.message.content).toContain('hello');
      expect(sandbox.requests.map((r) => [r.status, r.retryCount, r.responseHeaders['retry-after']])).toEqual([
        [429, 0, '1'],
        [200, 1, undefined],
      ]);

      sandbox.setKnobs({ fail429Next: 1 });
      const once = client.chat.completions.create({ model: cfg.chatModel, messages: [{ role: 'user', content: 'hello' }] });
      await expect(once).rejects.toBeInstanceOf(RateLimitError);
      await expect(once).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
      // the knob is spent: the next call goes through
      await expect(client.chat.completions.create({ model: cfg.chatModel, messages: [{ role: 'user', content: 'again' }] })).resolves.toBeTruthy();
    });

    it('knobs are readable and settable over HTTP; fail5xxNext gives a 500', async () => {
      const set = await fetch(`http://127.0.0.1:${sandbox.port}/sandbox/knobs`, { method: 'POST', body: JSON.stringify({ fail5xxNext: 1 }) });
      expect(((await set.json()) as { fail5xxNext: number }).fail5xxNext).toBe(1);
      await expect(client.moderations.create({ model: 'omni-moderation-latest', input: 'hello' })).rejects.toBeInstanceOf(InternalServerError);
      const knobs = (await (await fetch(`http://127.0.0.1:${sandbox.port}/sandbox/knobs`)).json()) as { fail5xxNext: number };
      expect(knobs.fail5xxNext).toBe(0);
    });
  });

  describe('moderations', () => {
    it('flags the magenta image as sexual and leaves a normal photo alone', async () => {
      const flagged = await client.moderations.create({
        model: 'omni-moderation-latest',
        input: [{ type: 'image_url', image_url: { url: dataUrl(await reencode(await photo(MAGENTA)), 'image/jpeg') } }],
      });
      expect(flagged.results[0]!.flagged).toBe(true);
      expect(flagged.results[0]!.categories.sexual).toBe(true);
      expect(flagged.results[0]!.category_applied_input_types.sexual).toEqual(['image']);

      const clean = await client.moderations.create({ model: 'omni-moderation-latest', input: [{ type: 'image_url', image_url: { url: dataUrl(await photo()) } }] });
      expect(clean.results[0]!.flagged).toBe(false);
    });

    it('flags obvious text, one result per string', async () => {
      const res = await client.moderations.create({ model: 'omni-moderation-latest', input: ['a cat on a sofa', 'nsfw porn pics', 'хочу порно'] });
      expect(res.results.map((r) => r.flagged)).toEqual([false, true, true]);
      expect(res.results[1]!.categories.sexual).toBe(true);
    });
  });

  it('API errors keep OpenAI\'s shape for unknown models', async () => {
    const err = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: 404, code: 'model_not_found' });
  });
});
