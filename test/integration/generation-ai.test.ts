import http from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { Api } from 'grammy';
import type { Update } from 'grammy/types';
import OpenAI from 'openai';
import sharp, { type Metadata } from 'sharp';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFalTrainingActivities, FAL_NOT_COMPLETED, FAL_UNAVAILABLE, FalTrainingErrors, type TrainingStatus } from '../../activities/fal-training';
import {
  createGenerationAiActivities,
  GENERATION_ENDPOINTS,
  GenerationAiErrors,
  PROMPT_ENHANCEMENT_V1,
  QUALITY_VERDICT_V1,
  REFERENCE_DESCRIPTION_V1,
  type AspectRatio,
  type GenerationAiActivities,
  type GenerationMode,
  type SubmitGenerationInput,
} from '../../activities/generation-ai';
import type { Config } from '../../lib/config';
import { createFal } from '../../lib/fal';
import { createMinio, ensureBuckets } from '../../lib/minio';
import { createPrisma, type PrismaClient } from '../../lib/prisma';
import { createOpenAI } from '../../lib/openai';
import { createStorage, type Storage } from '../../lib/storage';
import { FalSandbox, OpenAISandbox, TelegramSandbox } from '../../sandbox';
import { DEFAULT_KNOBS } from '../../sandbox/fal/knobs';
import { listen, readBody } from '../../sandbox/http-util';
import { TEST_BOT_TOKEN, testConfig, uniqueSuffix, uniqueTelegramId } from '../helpers/config';
import { photo } from '../helpers/images';

/**
 * The AI activities of image generation against the OpenAI, FAL and Telegram
 * sandboxes (through the real SDKs) and the real MinIO: prompt enhancement,
 * reference description, quality verdict, and FAL submit → poll → result.
 */
const FAL_KNOBS = { queueMs: 30, imageJobMs: 200, webhookRetries: 0 };
const YELLOW: [number, number, number] = [255, 255, 0];
const CYRILLIC = /[\u0400-\u04FF]/;
const RU_PROMPT = 'девушка в красном платье на берегу моря';

/** What a chat completion request carried (the sandbox's log shortens data URLs, so vision tests record their own). */
interface ChatBody {
  model: string;
  messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[];
  response_format: { type: string; json_schema: { name: string; strict: boolean; schema: unknown } };
}

/** An OpenAI client that records request bodies and may rewrite the answer's JSON content (a model that misbehaves). */
function recordingOpenAI(baseURL: string, rewrite?: (content: Record<string, unknown>) => Record<string, unknown>) {
  const bodies: ChatBody[] = [];
  const client = new OpenAI({
    apiKey: 'sk-sandbox-recording',
    baseURL,
    maxRetries: 0,
    organization: null,
    project: null,
    webhookSecret: null,
    fetch: async (url: string | URL | Request, init?: RequestInit) => {
      if (typeof init?.body === 'string') bodies.push(JSON.parse(init.body) as ChatBody);
      const res = await fetch(url, init);
      if (!rewrite || !res.ok) return res;
      const reply = (await res.json()) as { choices: { message: { content: string | null } }[] };
      for (const choice of reply.choices) if (choice.message.content) choice.message.content = JSON.stringify(rewrite(JSON.parse(choice.message.content) as Record<string, unknown>));
      return new Response(JSON.stringify(reply), { status: res.status, headers: { 'content-type': 'application/json' } });
    },
  });
  return { client, bodies };
}

/** The image a vision request sent, decoded. */
async function sentImage(body: ChatBody): Promise<Metadata> {
  const user = body.messages.at(-1)!;
  const part = Array.isArray(user.content) ? user.content.find((p) => p.type === 'image_url') : undefined;
  const url = part?.image_url?.url ?? '';
  expect(url.startsWith('data:image/jpeg;base64,')).toBe(true);
  return sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
}

/** A minimal safetensors file (8-byte header length, JSON header, tensor bytes), as the sandbox's flux-lora requires. */
function safetensors(trigger: string): Buffer {
  const header = Buffer.from(JSON.stringify({ __metadata__: { trigger_word: trigger, format: 'pt' } }), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header, Buffer.alloc(64)]);
}

const failureOf = (p: Promise<unknown>) => p.then(() => 'resolved', (err: unknown) => err);

describe('generation AI activities (OpenAI, FAL and Telegram sandboxes + MinIO)', () => {
  const fal = new FalSandbox({ seed: 21, knobs: FAL_KNOBS });
  const openaiSandbox = new OpenAISandbox({ seed: 5 });
  const telegram = new TelegramSandbox({ token: TEST_BOT_TOKEN });
  const suffix = uniqueSuffix();
  const logs: LogEntry[] = [];
  const logger = new DefaultLogger('TRACE', (entry) => logs.push(entry));
  /** Runs an activity in its own activity context (its `log` and cancellation signal need one), as a worker would. */
  const run = <A, R>(fn: (input: A) => Promise<R>, input: A): Promise<R> => new MockActivityEnvironment(undefined, { logger }).run(() => fn(input));

  let config: Config;
  let prisma: PrismaClient;
  let storage: Storage;
  let telegramApi: Api;
  let acts: GenerationAiActivities;
  let trainingStatus: (ref: { endpoint: string; requestId: string }) => Promise<TrainingStatus>;
  let receiver: http.Server;
  let webhookUrl: string;
  let loraUrl: string;
  const hooks: { request_id: string; status: string }[] = [];

  /** The same activities on another OpenAI client (recording, or one whose answers are rewritten). */
  const withOpenAI = (client: OpenAI) => createGenerationAiActivities({ config, openai: client, fal: createFal(config.fal), storage, telegramApi, prisma });

  beforeAll(async () => {
    await Promise.all([fal.start(), openaiSandbox.start(), telegram.start()]);
    config = testConfig({
      FAL_KEY: 'sandbox-key-id:sandbox-key-secret',
      FAL_PROXY_URL: fal.url,
      FAL_JWKS_URL: fal.jwksUrl,
      OPENAI_BASE_URL: openaiSandbox.baseUrl,
      OPENAI_API_KEY: 'sk-sandbox-generation-ai',
      OPENAI_CHAT_MODEL: 'gpt-4o-mini',
      OPENAI_VISION_MODEL: 'gpt-4o',
      TELEGRAM_API_ROOT: telegram.apiRoot,
    });
    const minio = createMinio(config.minio);
    await ensureBuckets(minio);
    storage = createStorage(minio, config.minio);
    telegramApi = new Api(config.telegram.token, { apiRoot: config.telegram.apiRoot });
    const falClient = createFal(config.fal);
    prisma = createPrisma(config.databaseUrl);
    acts = createGenerationAiActivities({ config, openai: createOpenAI(config.openai), fal: falClient, storage, telegramApi, prisma });
    trainingStatus = createFalTrainingActivities({ config, fal: falClient, storage, prisma }).trainingStatus;
    loraUrl = fal.files.put(safetensors('ohwx woman'), 'avatar.safetensors', 'application/octet-stream').url;

    receiver = http.createServer((req, res) => {
      void readBody(req).then((raw) => {
        hooks.push(JSON.parse(raw.toString('utf8')) as { request_id: string; status: string });
        res.writeHead(200).end();
      });
    });
    webhookUrl = `http://127.0.0.1:${await listen(receiver, 0)}/webhooks/fal/gen-${suffix}`;
  });
  beforeEach(() => {
    openaiSandbox.resetKnobs();
    openaiSandbox.clearRequests();
  });
  afterEach(() => {
    Object.assign(fal.knobs, DEFAULT_KNOBS, FAL_KNOBS);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await Promise.all([fal.stop(), openaiSandbox.stop(), telegram.stop()]);
    await storage?.removePrefix('generations', `t-${suffix}/`);
    receiver?.closeAllConnections();
    await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  });

  const chatRequests = () => openaiSandbox.requests.filter((r) => r.path === '/v1/chat/completions');

  describe('enhancePrompt', () => {
    it('turns a Russian prompt into an English one that keeps the subject and adds camera, lens and light', async () => {
      const out = await run(acts.enhancePrompt, { prompt: RU_PROMPT, mode: 'IMAGEN4', language: 'ru' });
      expect(out.prompt).not.toMatch(CYRILLIC);
      expect(out.prompt).toMatch(/\bgirl in red dress\b/);
      expect(out.prompt).toMatch(/\bsea\b/);
      expect(out.prompt).toMatch(/shot on .+, \d+mm f\/[\d.]+ lens/);
      expect(out.negativePrompt).toMatch(/extra fingers/);

      const [request] = chatRequests();
      expect(request).toMatchObject({ status: 200, purpose: 'prompt_enhancement', model: config.openai.chatModel });
      const body = request!.body as ChatBody;
      expect(body.messages[0]).toEqual({ role: 'system', content: PROMPT_ENHANCEMENT_V1 });
      expect(body.messages.at(-1)).toEqual({ role: 'user', content: RU_PROMPT });
      expect(body.response_format.json_schema).toMatchObject({ name: 'prompt_enhancement', strict: true });
      expect(JSON.stringify(body.response_format.json_schema.schema)).toContain('negative_prompt');
    });

    it('in AVATAR mode starts with the trigger phrase and asks for face and eye quality', async () => {
      const out = await run(acts.enhancePrompt, { prompt: RU_PROMPT, mode: 'AVATAR', triggerPhrase: 'ohwx woman', language: 'ru' });
      expect(out.prompt.startsWith('ohwx woman, ')).toBe(true);
      expect(out.prompt).toMatch(/\bgirl in red dress\b/);
      expect(out.prompt).toMatch(/eyes/);
      // The trigger phrase travels outside the user's own words.
      const body = chatRequests()[0]!.body as ChatBody;
      expect(body.messages.slice(1, -1).map((m) => m.content).join('\n')).toContain('Trigger phrase: "ohwx woman"');
      expect(body.messages.at(-1)!.content).toBe(RU_PROMPT);
      expect(PROMPT_ENHANCEMENT_V1).toMatch(/trigger phrase/);
    });

    it('prepends the trigger phrase when the model leaves it out', async () => {
      const { client } = recordingOpenAI(openaiSandbox.baseUrl, (c) => ({ ...c, prompt: String(c.prompt).replaceAll('ohwx woman, ', '') }));
      const out = await run(withOpenAI(client).enhancePrompt, { prompt: 'a woman reading a book in a cafe', mode: 'AVATAR', triggerPhrase: 'ohwx woman', language: 'en' });
      expect(out.prompt).toMatch(/^ohwx woman, .*woman reading a book in a cafe/);
      expect(out.prompt.match(/ohwx woman/g)).toHaveLength(1);
    });

    it('handles a 5000-character prompt (only the first 2000 reach the LLM), an emoji-only and RTL prompts', async () => {
      const long = `${RU_PROMPT} `.repeat(130).slice(0, 5000);
      expect(long).toHaveLength(5000);
      const cases = [long, '🌅🌊🏖️❤️', 'فتاة ترتدي فستانا أحمر على شاطئ البحر', 'ילדה בשמלה אדומה על חוף הים'];
      for (const [i, prompt] of cases.entries()) {
        for (const mode of ['IMAGEN4', 'AVATAR'] as const) {
          const out = await run(acts.enhancePrompt, { prompt, mode, language: 'ru', ...(mode === 'AVATAR' ? { triggerPhrase: 'TOK_anna' } : {}) });
          expect(out.prompt.trim().length, `case ${i} ${mode}`).toBeGreaterThan(10);
          expect(Array.from(out.prompt).length).toBeLessThanOrEqual(1500);
          if (mode === 'AVATAR') expect(out.prompt.startsWith('TOK_anna')).toBe(true);
        }
      }
      const sent = chatRequests().map((r) => (r.body as ChatBody).messages.at(-1)!.content as string);
      expect(sent).toHaveLength(cases.length * 2);
      expect(sent[0]!.length).toBeGreaterThan(1900);
      expect(sent[0]!.length).toBeLessThanOrEqual(2000);
      expect(long.startsWith(sent[0]!)).toBe(true);
      expect(sent[2]).toBe(cases[1]);
    });

    it('throws when OpenAI is down (the workflow falls back to the user’s prompt); refusals and bad input are not retried', async () => {
      openaiSandbox.setKnobs({ fail5xxNext: 1000 });
      const down = await failureOf(run(acts.enhancePrompt, { prompt: RU_PROMPT, mode: 'IMAGEN4', language: 'ru' }));
      expect(down).toMatchObject({ status: 500 });
      expect(down).not.toBeInstanceOf(ApplicationFailure); // Temporal retries it
      openaiSandbox.resetKnobs();

      openaiSandbox.setKnobs({ refuseNext: 1 });
      const refused = await failureOf(run(acts.enhancePrompt, { prompt: RU_PROMPT, mode: 'IMAGEN4', language: 'ru' }));
      expect(refused).toMatchObject({ type: GenerationAiErrors.llmRefused, nonRetryable: true });

      const requestsBefore = chatRequests().length;
      expect(await failureOf(run(acts.enhancePrompt, { prompt: '   ', mode: 'IMAGEN4', language: 'en' }))).toMatchObject({ type: GenerationAiErrors.invalidInput, nonRetryable: true });
      expect(await failureOf(run(acts.enhancePrompt, { prompt: 'a cat', mode: 'AVATAR', language: 'en' }))).toMatchObject({ type: GenerationAiErrors.invalidInput, nonRetryable: true });
      expect(chatRequests()).toHaveLength(requestsBefore);
    });
  });

  describe('FAL generation', () => {
    async function pollUntilCompleted(ref: { endpoint: string; requestId: string }): Promise<void> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        if ((await run(trainingStatus, ref)).status === 'COMPLETED') return;
        if (Date.now() > deadline) throw new Error(`request ${ref.requestId} did not complete`);
        await new Promise((r) => setTimeout(r, 30));
      }
    }
    const input = (mode: GenerationMode, over: Partial<SubmitGenerationInput> = {}): SubmitGenerationInput => ({
      mode,
      prompt: mode === 'AVATAR' ? 'ohwx woman, portrait in a garden, 85mm lens' : 'a lighthouse at dawn, 35mm lens',
      ...(mode === 'AVATAR' ? { loraUrl } : {}),
      aspectRatio: '1:1',
      numImages: 1,
      webhookUrl,
      ...over,
    });
    const generate = async (i: SubmitGenerationInput) => {
      const submitted = await run(acts.submitGeneration, i);
      await pollUntilCompleted(submitted);
      return { submitted, outcome: await run(acts.generationResult, submitted) };
    };

    it.each([
      ['AVATAR', '3:4', 2, 768, 1024, 'jpeg'],
      ['AVATAR', '16:9', 1, 1024, 576, 'jpeg'],
      ['IMAGEN4', '16:9', 3, 1408, 768, 'png'],
      ['IMAGEN4', '3:4', 1, 896, 1280, 'png'],
    ] as const)('%s %s × %i: submit → poll → %i×%i images', async (mode, aspectRatio, numImages, width, height, format) => {
      const { submitted, outcome } = await generate(input(mode, { aspectRatio, numImages, seed: 42 }));
      expect(submitted.endpoint).toBe(GENERATION_ENDPOINTS[mode]);
      if (!outcome.ok) throw new Error(`generation failed: ${outcome.error}`);
      expect(outcome.seed).toBe(42);
      expect(outcome.images).toHaveLength(numImages);
      for (const image of outcome.images) {
        expect(image).toMatchObject({ width, height, contentType: `image/${format}`, nsfw: false });
      }
      const res = await fetch(outcome.images.at(-1)!.url);
      expect(res.status).toBe(200);
      expect(await sharp(Buffer.from(await res.arrayBuffer())).metadata()).toMatchObject({ width, height, format });

      const job = fal.jobs.get(submitted.requestId)!;
      expect(job.webhookUrl).toBe(webhookUrl);
      if (mode === 'AVATAR') {
        expect(job.input).toEqual({
          prompt: input(mode).prompt,
          loras: [{ path: loraUrl, scale: 1 }],
          image_size: aspectRatio === '3:4' ? 'portrait_4_3' : 'landscape_16_9',
          num_images: numImages,
          num_inference_steps: 28,
          guidance_scale: 3.5,
          enable_safety_checker: true,
          output_format: 'jpeg',
          seed: 42,
        });
      } else {
        expect(job.input).toEqual({ prompt: input(mode).prompt, aspect_ratio: aspectRatio, num_images: numImages, seed: 42 });
      }
      await expect.poll(() => hooks.find((h) => h.request_id === submitted.requestId)?.status).toBe('OK');
    });

    it('maps every aspect ratio to flux-lora’s image_size preset', async () => {
      const expected: Record<AspectRatio, string> = { '1:1': 'square_hd', '3:4': 'portrait_4_3', '4:3': 'landscape_4_3', '9:16': 'portrait_16_9', '16:9': 'landscape_16_9' };
      for (const [aspectRatio, preset] of Object.entries(expected) as [AspectRatio, string][]) {
        const { requestId } = await run(acts.submitGeneration, input('AVATAR', { aspectRatio }));
        expect(fal.jobs.get(requestId)!.input.image_size).toBe(preset);
      }
    });

    it.each(['AVATAR', 'IMAGEN4'] as const)('%s: [nsfw:1,3] flags images 1 and 3', async (mode) => {
      const { outcome } = await generate(input(mode, { prompt: `${input(mode).prompt} [nsfw:1,3]`, numImages: 4 }));
      if (!outcome.ok) throw new Error(outcome.error);
      expect(outcome.images.map((i) => i.nsfw)).toEqual([false, true, false, true]);
    });

    it('[fail] gives a failed outcome, not an exception', async () => {
      const { outcome } = await generate(input('IMAGEN4', { prompt: 'a red fox [fail]' }));
      expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/runner/i) });
    });

    it('a LoRA FAL cannot load gives a failed outcome with FAL’s reason', async () => {
      const { outcome } = await generate(input('AVATAR', { loraUrl: `${fal.url}/files/00000000-0000-4000-8000-000000000000/missing.safetensors` }));
      expect(outcome).toEqual({ ok: false, error: expect.stringMatching(/LoRA/) });
    });

    it('refuses invalid input without submitting anything', async () => {
      const before = fal.jobs.all().length;
      for (const bad of [
        input('IMAGEN4', { numImages: 0 }),
        input('IMAGEN4', { numImages: 5 }),
        input('AVATAR', { numImages: 1.5 }),
        input('AVATAR', { loraUrl: undefined }),
        input('IMAGEN4', { aspectRatio: '2:1' as AspectRatio }),
        input('IMAGEN4', { prompt: ' ' }),
      ]) {
        const err = await failureOf(run(acts.submitGeneration, bad));
        expect(err, JSON.stringify(bad)).toBeInstanceOf(ApplicationFailure);
        expect(err).toMatchObject({ type: GenerationAiErrors.invalidInput, nonRetryable: true });
      }
      expect(fal.jobs.all()).toHaveLength(before);
    });

    it('throws retryable failures for outages and unfinished requests, non-retryable ones for unknown requests', async () => {
      Object.assign(fal.knobs, { fail5xxNext: 1, http5xxStatus: 501 }); // a 5xx the client does not retry itself
      expect(await failureOf(run(acts.submitGeneration, input('IMAGEN4')))).toMatchObject({ type: FAL_UNAVAILABLE, nonRetryable: false });

      const slow = await run(acts.submitGeneration, input('IMAGEN4', { prompt: 'a slow sunrise [slow]' }));
      expect(await failureOf(run(acts.generationResult, slow))).toMatchObject({ type: FAL_NOT_COMPLETED, nonRetryable: false });

      const unknown = { endpoint: GENERATION_ENDPOINTS.IMAGEN4, requestId: '00000000-0000-4000-8000-000000000000' };
      expect(await failureOf(run(acts.generationResult, unknown))).toMatchObject({ type: FalTrainingErrors.notFound, nonRetryable: true });
    });
  });

  describe('assessQuality', () => {
    const stored = async (name: string, bytes: Buffer) => {
      const objectKey = `t-${suffix}/${name}.jpg`;
      await storage.put('generations', objectKey, bytes, 'image/jpeg');
      return objectKey;
    };

    it('scores a clean image 1–10 without defects, from a copy of at most 768 px', async () => {
      const objectKey = await stored('clean', await photo(3, { width: 1408, height: 768 }));
      const { client, bodies } = recordingOpenAI(openaiSandbox.baseUrl);
      const verdict = await run(withOpenAI(client).assessQuality, { bucket: 'generations', objectKey, prompt: 'a lighthouse at dawn' });
      expect(Number.isInteger(verdict.score)).toBe(true);
      expect(verdict.score).toBeGreaterThanOrEqual(1);
      expect(verdict.score).toBeLessThanOrEqual(10);
      expect(verdict.score).toBeGreaterThanOrEqual(7);
      expect(verdict.defects).toEqual([]);
      expect(verdict.correctedPrompt).toBeUndefined();

      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatchObject({ model: config.openai.visionModel, response_format: { json_schema: { name: 'quality_verdict', strict: true } } });
      expect(bodies[0]!.messages[0]).toEqual({ role: 'system', content: QUALITY_VERDICT_V1 });
      expect(JSON.stringify(bodies[0]!.messages.at(-1))).toContain('a lighthouse at dawn');
      expect(await sentImage(bodies[0]!)).toMatchObject({ width: 768, height: 419, format: 'jpeg' });
    });

    it('gives an image with defects (yellow marker) a low score, the defects and a corrected prompt', async () => {
      const objectKey = await stored('defects', await photo(4, { marker: YELLOW }));
      const verdict = await run(acts.assessQuality, { bucket: 'generations', objectKey, prompt: 'ohwx woman in a garden' });
      expect(verdict.score).toBeLessThanOrEqual(4);
      expect(verdict.defects).toEqual(expect.arrayContaining(['distorted eyes', 'extra fingers']));
      expect(verdict.correctedPrompt).toMatch(/^ohwx woman in a garden, .*eyes/);
      expect(chatRequests()[0]).toMatchObject({ purpose: 'quality_verdict', model: config.openai.visionModel });
    });

    it('fails without retries when the image is not in MinIO', async () => {
      const err = await failureOf(run(acts.assessQuality, { bucket: 'generations', objectKey: `t-${suffix}/missing.jpg`, prompt: 'x' }));
      expect(err).toMatchObject({ type: GenerationAiErrors.objectMissing, nonRetryable: true });
    });
  });

  describe('describeReference', () => {
    const photoFileId = (u: Update) => u.message!.photo!.at(-1)!.file_id;

    it('describes a photo sent to the bot as a non-empty English prompt, from a copy of at most 768 px', async () => {
      const update = await telegram.users.sendPhoto(uniqueTelegramId(), await photo(9, { width: 900, height: 1200 }));
      const { client, bodies } = recordingOpenAI(openaiSandbox.baseUrl);
      const { prompt } = await run(withOpenAI(client).describeReference, { fileId: photoFileId(update), language: 'ru' });
      expect(prompt.length).toBeGreaterThan(20);
      expect(prompt).toMatch(/^[\x20-\x7E]+$/); // English: plain ASCII
      expect(prompt).toMatch(/portrait photograph/);

      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toMatchObject({ model: config.openai.visionModel, response_format: { json_schema: { name: 'reference_description', strict: true } } });
      expect(bodies[0]!.messages[0]).toEqual({ role: 'system', content: REFERENCE_DESCRIPTION_V1 });
      expect(await sentImage(bodies[0]!)).toMatchObject({ width: 576, height: 768 });
    });

    it('fails without retries for an unknown file or a file that is not an image', async () => {
      expect(await failureOf(run(acts.describeReference, { fileId: 'AgACno-such-file', language: 'en' }))).toMatchObject({
        type: GenerationAiErrors.referenceUnavailable,
        nonRetryable: true,
      });
      const doc = await telegram.users.sendMedia(uniqueTelegramId(), 'document', Buffer.from('not a photo at all\n'.repeat(40)), { fileName: 'photo.jpg' });
      expect(await failureOf(run(acts.describeReference, { fileId: doc.message!.document!.file_id, language: 'en' }))).toMatchObject({
        type: GenerationAiErrors.notImage,
        nonRetryable: true,
      });
      expect(chatRequests()).toHaveLength(0);
    });
  });

  it('never logs prompts, the LoRA URL or keys', () => {
    const logged = JSON.stringify(logs.map((l) => [l.message, l.meta]));
    expect(logged).toContain('FAL generation submitted');
    for (const secret of [RU_PROMPT, 'lighthouse', loraUrl, 'sk-sandbox-generation-ai', 'sandbox-key-secret', TEST_BOT_TOKEN.split(':')[1]!]) {
      expect(logged).not.toContain(secret);
    }
  });
});
