// Chunked transcription of a 60-minute recording on this machine: the real
// workers and workflow on a private task queue, real PostgreSQL/MinIO/Temporal
// and ffmpeg, the OpenAI stand-in answering each chunk after a latency
// proportional to its length (like Whisper). The same file is transcribed with
// chunks in parallel (TRANSCRIPTION_PARALLEL_CHUNKS) and one chunk at a time;
// prints both wall times and their ratio.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSpeechAudio } from '../test/helpers/speech-audio';
import type { transcriptionWorkflow } from '../workflows/transcription';
import { transcriptionStatusQuery, type TranscriptionInput } from '../workflows/transcription-api';
import { startBenchStack } from './stack';

/** Whisper-like latency: 10 ms per second of audio (a 10-minute chunk takes 6 s). */
const LATENCY_PER_AUDIO_SECOND_MS = 10;
const SECONDS = 3600;

export async function transcriptionBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'aisha-bench-tr-'));
  const { config, client, sandboxes, users, stop } = await startBenchStack('tr');
  try {
    const audio = await makeSpeechAudio({ seconds: SECONDS, dir, seed: 11 });
    const file = sandboxes.telegram!.world.files.put(await readFile(audio.path), 'audio/ogg', 'voice');
    sandboxes.openai!.setKnobs({ latencyPerAudioSecondMs: LATENCY_PER_AUDIO_SECOND_MS });
    const [user] = await users(1);
    const transcribe = async (parallelChunks: number) => {
      const transcriptId = randomUUID();
      const input: TranscriptionInput = {
        transcriptId,
        userId: user!.id,
        telegramId: user!.telegramId,
        chatId: user!.telegramId,
        language: 'en',
        fileId: file.fileId,
        fileUniqueId: file.fileUniqueId,
        unitPrice: config.tariffs.transcriptionMinute,
        maxSeconds: 3 * 3600,
        confirmAboveSeconds: 24 * 3600,
        confirmTimeoutSeconds: 60,
        parallelChunks,
      };
      const started = performance.now();
      const handle = await client.workflow.start<typeof transcriptionWorkflow>('transcriptionWorkflow', {
        taskQueue: config.temporal.taskQueue,
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
      };
    };
    const parallelChunks = config.transcription.parallelChunks;
    const parallel = await transcribe(parallelChunks);
    const sequential = await transcribe(1);
    const whisperSeconds = (SECONDS * LATENCY_PER_AUDIO_SECOND_MS) / 1000;
    process.stdout.write(
      [
        `60-minute recording, ${parallel.chunks} chunks, stand-in Whisper latency ${LATENCY_PER_AUDIO_SECOND_MS} ms per audio second (${whisperSeconds} s in total)`,
        `  parallel (${parallelChunks} chunks at a time): ${parallel.seconds.toFixed(1)} s wall (before the chunks ${parallel.before.toFixed(1)} s, cutting + chunks ${parallel.chunksPhase.toFixed(1)} s)`,
        `  sequential (1 chunk at a time): ${sequential.seconds.toFixed(1)} s wall (before the chunks ${sequential.before.toFixed(1)} s, cutting + chunks ${sequential.chunksPhase.toFixed(1)} s)`,
        `  sequential / parallel: ${(sequential.seconds / parallel.seconds).toFixed(2)}× end to end, ${(sequential.chunksPhase / parallel.chunksPhase).toFixed(2)}× for cutting + chunks`,
        '',
      ].join('\n'),
    );
  } finally {
    await stop();
    await rm(dir, { recursive: true, force: true });
  }
}
