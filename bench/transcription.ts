// P3, chunked transcription of a 60-minute recording on this machine: the
// real worker (workers/main.ts) in its own process on a private task queue,
// real PostgreSQL/MinIO/Temporal and ffmpeg, the stand-ins in another process,
// OpenAI's answering each chunk after a latency proportional to its length
// (like Whisper) without decoding it (`transcribeWithoutDecoding`: the length
// comes from the Ogg container). The same file is transcribed with chunks in
// parallel (TRANSCRIPTION_PARALLEL_CHUNKS) and one chunk at a time.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSpeechAudio } from '../test/helpers/speech-audio';
import type { transcriptionWorkflow } from '../workflows/transcription';
import { TRANSCRIPTION_REVISION, transcriptionStatusQuery, type TranscriptionInput } from '../workflows/transcription-api';
import { loadConfig } from '../lib/config';
import { applyLedgerEntry } from '../lib/db/ledger';
import { upsertUser } from '../lib/db/users';
import { createPrisma } from '../lib/prisma';
import { benchServiceEnv, startStandInsProcess, startWorkerProcess } from './processes';
import { describeCosts, historyCosts } from './histories';
import { goalRow } from './stats';

/** Whisper-like latency: 10 ms per second of audio (a 10-minute chunk takes 6 s). */
const LATENCY_PER_AUDIO_SECOND_MS = 10;
const SECONDS = 3600;

export async function transcriptionBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aisha-bench-tr-'));
  const standIns = await startStandInsProcess();
  const worker = await startWorkerProcess('tr', standIns).catch(async (err: unknown) => {
    await standIns.stop();
    throw err;
  });
  const config = loadConfig(benchServiceEnv(standIns.env, worker.taskQueue));
  const client = worker.client;
  const prisma = createPrisma(config.databaseUrl);
  try {
    const audio = await makeSpeechAudio({ seconds: SECONDS, dir, seed: 11 });
    const telegramId = 7_100_000_000 + Math.floor(Math.random() * 1_000_000);
    await standIns.user(telegramId);
    const file = await standIns.sendAudio(telegramId, await readFile(audio.path), 'recording.ogg');
    await standIns.knobs('openai', { latencyPerAudioSecondMs: LATENCY_PER_AUDIO_SECOND_MS, transcribeWithoutDecoding: true });
    const dbUser = await upsertUser(prisma, { telegramId });
    await applyLedgerEntry(prisma, { userId: dbUser.id, kind: 'GRANT', amount: 10_000, idempotencyKey: `bench-tr:${worker.taskQueue}` });
    const user = { id: dbUser.id, telegramId };
    const transcribe = async (parallelChunks: number) => {
      const transcriptId = randomUUID();
      const input: TranscriptionInput = {
        transcriptId,
        userId: user.id,
        telegramId: user.telegramId,
        chatId: user.telegramId,
        language: 'en',
        fileId: file.fileId,
        fileUniqueId: file.fileUniqueId,
        unitPrice: config.tariffs.transcriptionMinute,
        maxSeconds: 3 * 3600,
        confirmAboveSeconds: 24 * 3600,
        confirmTimeoutSeconds: 60,
        parallelChunks,
        revision: TRANSCRIPTION_REVISION,
      };
      const started = performance.now();
      const handle = await client.workflow.start<typeof transcriptionWorkflow>('transcriptionWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: `tr-${transcriptId}`,
        args: [input],
      });
      // When the chunks start (download, decode, plan and charge done) and when the last one is transcribed.
      const marks: { transcribing?: number; transcribed?: number } = {};
      let done = false;
      const watching = (async () => {
        while (!done) {
          const s = await handle.query(transcriptionStatusQuery).catch(() => null);
          const now = performance.now();
          if (s?.stage === 'transcribing') marks.transcribing ??= now;
          if (s && s.chunksTotal > 0 && s.chunksDone.length === s.chunksTotal) marks.transcribed ??= now;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      const status = await handle.result();
      done = true;
      await watching;
      if (status.stage !== 'completed') throw new Error(`transcription ended ${status.stage} (${status.failureReason})`);
      const end = performance.now();
      return {
        seconds: (end - started) / 1000,
        before: ((marks.transcribing ?? end) - started) / 1000,
        chunksPhase: ((marks.transcribed ?? end) - (marks.transcribing ?? started)) / 1000,
        chunks: status.chunksTotal,
        workflowId: handle.workflowId,
      };
    };
    const parallelChunks = config.transcription.parallelChunks;
    const parallel = await transcribe(parallelChunks);
    const sequential = await transcribe(1);
    const whisperSeconds = (SECONDS * LATENCY_PER_AUDIO_SECOND_MS) / 1000;
    const lanes = Math.min(parallelChunks, parallel.chunks);
    const speedup = sequential.chunksPhase / parallel.chunksPhase;
    process.stdout.write(
      [
        `60-minute recording, ${parallel.chunks} chunks, stand-in Whisper latency ${LATENCY_PER_AUDIO_SECOND_MS} ms per audio second (${whisperSeconds} s in total)`,
        `  parallel (${parallelChunks} chunks at a time): ${parallel.seconds.toFixed(1)} s wall (before the chunks ${parallel.before.toFixed(1)} s, cutting + chunks ${parallel.chunksPhase.toFixed(1)} s)`,
        `  sequential (1 chunk at a time): ${sequential.seconds.toFixed(1)} s wall (before the chunks ${sequential.before.toFixed(1)} s, cutting + chunks ${sequential.chunksPhase.toFixed(1)} s)`,
        '',
      ].join('\n'),
    );
    process.stdout.write(
      goalRow(
        'P3 60-minute recording, chunks in parallel',
        `${speedup.toFixed(2)}× for cutting + chunks (${(sequential.seconds / parallel.seconds).toFixed(2)}× end to end), ${lanes} lanes`,
        `≥ ${(0.8 * lanes).toFixed(1)}× (0.8 × min(lanes, chunks))`,
        speedup >= 0.8 * lanes,
      ),
    );
    const costs = await historyCosts(client, parallel.workflowId);
    process.stdout.write(`P2c Temporal per 60-minute transcription (with its billing child): ${describeCosts(costs)}\n`);
    // From the history: the workflow's start to the first chunk's transcription starting on a worker (its cut included).
    const events = (await client.workflow.getHandle(parallel.workflowId).fetchHistory()).events ?? [];
    const at = (e: (typeof events)[number] | undefined) => (e?.eventTime ? Number(e.eventTime.seconds) * 1000 + Math.floor((e.eventTime.nanos ?? 0) / 1e6) : NaN);
    const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'transcribeChunk').map((e) => Number(e.eventId)));
    const firstChunk = events.find((e) => e.activityTaskStartedEventAttributes && scheduled.has(Number(e.activityTaskStartedEventAttributes.scheduledEventId)));
    const firstChunkSeconds = (at(firstChunk) - at(events[0])) / 1000;
    process.stdout.write(
      goalRow(
        'P3 before the first chunk starts',
        `${firstChunkSeconds.toFixed(1)} s (download, decode, plan, charge: ${parallel.before.toFixed(1)} s; then the first chunk's cut)`,
        '≤ 5 s',
        firstChunkSeconds <= 5,
      ),
    );
  } finally {
    await worker.stop();
    await standIns.stop();
    await prisma.$disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}
