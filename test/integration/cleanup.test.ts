import { randomInt, randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCleanupActivities, type UploadCleanupResult } from '../../activities/cleanup';
import { Readable } from 'node:stream';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Upload } from '@tus/server';
import { createLogger } from '../../lib/logger';
import { createMinio } from '../../lib/minio';
import { createUploadStore } from '../../lib/upload-store';
import type { Bucket } from '../../lib/minio';
import { installTemporalRuntime } from '../../lib/temporal-runtime';
import { CLEANUP_CALENDAR, cleanupScheduleId, ensureCleanupSchedule } from '../../workers/cleanup-schedule';
import { createActivityDeps } from '../../workers/dependencies';
import type { CleanupResult, cleanupWorkflow } from '../../workflows/cleanup';
import { workflowIds } from '../../vocabulary/ids';
import { testConfig, uniqueSuffix, uniqueTelegramId } from '../helpers/config';
import { eventually, startStack, type Stack } from '../helpers/stack';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * The daily cleanup on real PostgreSQL, MinIO and Temporal: the Schedule, and
 * what one run removes (old) and keeps (fresh, running, not temporary), seeded
 * as rows and objects. The activities' clock can be moved forward to age the
 * training archives (MinIO stamps objects with the real time).
 */
describe('daily cleanup: schedule and workflow', () => {
  let stack: Stack;
  const logLines: string[] = [];
  const clock = { offsetMs: 0 };
  const cleanupDeps = createActivityDeps(testConfig(), createLogger({ level: 'error' }));
  const running: WorkflowHandle[] = [];
  const suffix = uniqueSuffix();

  beforeAll(async () => {
    // The Runtime logger before anything connects: every SDK line (workflow and activity `log`) lands here.
    installTemporalRuntime(createLogger({ level: 'info', destination: { write: (line: string) => void logLines.push(line) } }), 'INFO');
    stack = await startStack({
      wrapActivities: (a) => ({ ...a, main: { ...a.main, ...createCleanupActivities({ ...cleanupDeps, now: () => new Date(Date.now() + clock.offsetMs) }) } }),
    });
  });
  afterAll(async () => {
    for (const h of running) await h.terminate('test finished').catch(() => undefined);
    await stack?.temporal.schedule.getHandle(cleanupScheduleId(stack.config.temporal.taskQueue)).delete().catch(() => undefined);
    await stack?.stop();
    await cleanupDeps.close();
  });

  const put = (bucket: Bucket, key: string) => stack.storage.put(bucket, key, Buffer.from(key), 'application/octet-stream');
  const exists = async (bucket: Bucket, keys: string[]) => Promise.all(keys.map((k) => stack.storage.exists(bucket, k)));
  const ago = (ms: number) => new Date(Date.now() - ms);

  /** Users with ids no other run shares: the test database is recreated every run, MinIO keeps its objects. */
  async function seedUser() {
    return stack.prisma.user.create({ data: { id: randomInt(1_500_000_000, 2_100_000_000), telegramId: BigInt(uniqueTelegramId()) }, select: { id: true } });
  }
  async function seedTranscript(userId: number, status: 'COMPLETED' | 'FAILED' | 'RUNNING', createdAgo: number, completedAgo: number | null) {
    const id = randomUUID();
    await stack.prisma.transcript.create({
      data: { id, userId, status, fileId: `f-${id}`, fileUniqueId: `u-${id}`, createdAt: ago(createdAgo), completedAt: completedAgo === null ? null : ago(completedAgo) },
    });
    const keys = [`${userId}/${id}/source`, `${userId}/${id}/chunks/000.ogg`, `${userId}/${id}/chunks/000.json`];
    for (const k of keys) await put('audio', k);
    return { id, keys };
  }
  async function seedAvatar(userId: number, status: 'COLLECTING_PHOTOS' | 'READY' | 'COMPLETED', quietFor: number, photoAges: number[]) {
    const id = randomUUID();
    await stack.prisma.avatar.create({ data: { id, userId, name: `cleanup ${suffix}`, type: 'PORTRAIT', status, triggerPhrase: 'TOK', createdAt: ago(quietFor) } });
    await stack.prisma.$executeRaw`UPDATE avatars SET updated_at = ${ago(quietFor)} WHERE id = ${id}::uuid`;
    const keys: string[] = [];
    for (const [i, age] of photoAges.entries()) {
      const key = `${userId}/${id}/photos/${i}.jpg`;
      await stack.prisma.avatarPhoto.create({ data: { avatarId: id, fileId: `f${i}`, fileUniqueId: `u${i}`, status: 'ACCEPTED', objectKey: key, createdAt: ago(age) } });
      await put('avatars', key);
      keys.push(key);
    }
    return { id, keys };
  }
  const avatarState = (id: string) => stack.prisma.avatar.findUniqueOrThrow({ where: { id }, select: { status: true, failureReason: true } });

  it('abandoned uploads: one started longer ago than it may live is removed, a fresh one is kept', async () => {
    // A bucket of its own: the store's expiry looks at every unfinished upload of its bucket.
    const bucket = `uploads-cleanup-${suffix}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
    const minio = createMinio(stack.config.minio);
    await minio.makeBucket(bucket);
    const store = createUploadStore(stack.config, { bucket, expirationMs: 5_000 });
    const start = async (id: string) => {
      await store.create(new Upload({ id, size: 20 * 1024 * 1024, offset: 0, metadata: {} }));
      await store.write(Readable.from([Buffer.alloc(1024 * 1024, 7)]), id, 0);
    };
    const unfinished = async () => {
      const keys: string[] = [];
      for await (const u of minio.listIncompleteUploads(bucket, '', true) as AsyncIterable<{ key: string }>) keys.push(u.key);
      return keys.sort();
    };
    try {
      await start('1/old/source');
      await new Promise((r) => setTimeout(r, 6_000));
      await start('2/fresh/source');
      expect(await unfinished()).toEqual(['1/old/source', '2/fresh/source']);
      const activities = createCleanupActivities({ ...cleanupDeps, uploads: store });
      const removed: UploadCleanupResult = await new MockActivityEnvironment().run(() => activities.removeAbandonedUploads());
      expect(removed.objects).toBeGreaterThanOrEqual(1);
      expect(await unfinished()).toEqual(['2/fresh/source']);
      const objects: string[] = [];
      for await (const o of minio.listObjectsV2(bucket, '', true) as AsyncIterable<{ name: string }>) objects.push(o.name);
      expect(objects.filter((k) => k.startsWith('1/'))).toEqual([]); // its .info and .part are gone
      expect(objects).toContain('2/fresh/source.info');
    } finally {
      await store.remove('2/fresh/source').catch(() => undefined);
      for await (const o of minio.listObjectsV2(bucket, '', true) as AsyncIterable<{ name: string }>) await minio.removeObject(bucket, o.name);
      await minio.removeBucket(bucket).catch(() => undefined);
    }
  }, 60_000);

  it('creates one daily Schedule per task queue, idempotently', async () => {
    const taskQueue = stack.config.temporal.taskQueue;
    expect(await ensureCleanupSchedule(stack.temporal, taskQueue)).toEqual({ scheduleId: cleanupScheduleId(taskQueue), created: true });
    expect(await ensureCleanupSchedule(stack.temporal, taskQueue)).toEqual({ scheduleId: cleanupScheduleId(taskQueue), created: false });

    const described = await stack.temporal.schedule.getHandle(cleanupScheduleId(taskQueue)).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'cleanupWorkflow', taskQueue });
    expect(described.spec.calendars).toHaveLength(1);
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: CLEANUP_CALENDAR.hour }], minute: [{ start: CLEANUP_CALENDAR.minute }] });
    expect(described.state.paused).toBe(false);
    expect(described.info.nextActionTimes[0]!.getUTCHours()).toBe(CLEANUP_CALENDAR.hour);
  });

  it('a run removes temporary audio of ended transcripts, ends abandoned drafts and keeps everything else', async () => {
    const a = await seedUser();
    const b = await seedUser();
    // Audio: ended more than a day ago → removed; ended recently, still running → kept.
    const oldDone = await seedTranscript(a.id, 'COMPLETED', 3 * DAY, 2 * DAY);
    const oldFailed = await seedTranscript(a.id, 'FAILED', 31 * HOUR, 30 * HOUR);
    const freshDone = await seedTranscript(a.id, 'COMPLETED', 3 * HOUR, 2 * HOUR);
    const stillRunning = await seedTranscript(b.id, 'RUNNING', 3 * DAY, null);
    const transcriptText = `${a.id}/${oldDone.id}/transcript.txt`;
    await put('transcripts', transcriptText);
    // Drafts: quiet for 3 days with no workflow → ended; a recent photo, or a running workflow → kept; a trained avatar → kept.
    const abandoned = await seedAvatar(a.id, 'COLLECTING_PHOTOS', 3 * DAY, [3 * DAY, 3 * DAY]);
    const abandonedReady = await seedAvatar(b.id, 'READY', 2 * DAY, [2 * DAY]);
    const recentPhoto = await seedAvatar(a.id, 'COLLECTING_PHOTOS', 3 * DAY, [3 * DAY, HOUR]);
    const withWorkflow = await seedAvatar(b.id, 'COLLECTING_PHOTOS', 3 * DAY, [3 * DAY]);
    const trained = await seedAvatar(a.id, 'COMPLETED', 30 * DAY, [30 * DAY]);
    const archive = `${a.id}/${trained.id}/training.zip`;
    const lora = `${a.id}/${trained.id}/lora.safetensors`;
    await put('avatars', archive);
    await put('avatars', lora);
    // A workflow is still running for this draft (no worker polls its queue: it just stays open).
    running.push(await stack.temporal.workflow.start('avatarTrainingWorkflow', { taskQueue: `nobody-${suffix}`, workflowId: workflowIds.avatar(withWorkflow.id), args: [] }));

    // The Schedule's own action, now.
    const schedule = stack.temporal.schedule.getHandle(cleanupScheduleId(stack.config.temporal.taskQueue));
    await ensureCleanupSchedule(stack.temporal, stack.config.temporal.taskQueue);
    await schedule.trigger();
    const started = await eventually(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow);
    const handle = stack.temporal.workflow.getHandle<typeof cleanupWorkflow>(started.workflowId, started.firstExecutionRunId);
    const result: CleanupResult = await handle.result();

    expect(result).toMatchObject({ audioTranscripts: 2, audioObjects: 6, abandonedDrafts: 2, draftObjects: 3, draftsStillRunning: 1, failedSteps: [] });
    expect(result.abandonedUploads).toBeGreaterThanOrEqual(0); // the Schedule's run is for everyone: unfinished uploads too
    expect(await exists('audio', [...oldDone.keys, ...oldFailed.keys])).toEqual(Array(6).fill(false));
    expect(await exists('audio', [...freshDone.keys, ...stillRunning.keys])).toEqual(Array(6).fill(true));
    expect(await exists('transcripts', [transcriptText])).toEqual([true]);

    expect(await exists('avatars', [...abandoned.keys, ...abandonedReady.keys])).toEqual([false, false, false]);
    expect(await avatarState(abandoned.id)).toEqual({ status: 'CANCELLED', failureReason: 'abandoned' });
    expect(await avatarState(abandonedReady.id)).toEqual({ status: 'CANCELLED', failureReason: 'abandoned' });
    expect(await exists('avatars', [...recentPhoto.keys, ...withWorkflow.keys, ...trained.keys, archive, lora])).toEqual(Array(6).fill(true));
    expect(await avatarState(recentPhoto.id)).toEqual({ status: 'COLLECTING_PHOTOS', failureReason: null });
    expect(await avatarState(withWorkflow.id)).toEqual({ status: 'COLLECTING_PHOTOS', failureReason: null });
    expect(await avatarState(trained.id)).toMatchObject({ status: 'COMPLETED' });
    // The rows stay (history); only the files went.
    expect(await stack.prisma.avatarPhoto.count({ where: { avatarId: abandoned.id } })).toBe(2);

    // Every line from the workflow and from its activities names the run.
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.workflowId === started.workflowId);
    const fromWorkflow = lines.find((l) => l.msg === 'cleanup finished');
    const fromActivity = lines.find((l) => l.msg === 'audio of ended transcripts removed');
    expect(fromWorkflow).toMatchObject({ workflowId: started.workflowId, runId: started.firstExecutionRunId, workflowType: 'cleanupWorkflow' });
    expect(fromActivity).toMatchObject({ workflowId: started.workflowId, runId: started.firstExecutionRunId, activityType: 'removeFinishedAudio' });
    expect(fromActivity).not.toHaveProperty('taskToken');
    expect(fromActivity).not.toHaveProperty('workflowRunId');

    // A week later (the activities' clock moved), for user a only: a's archive goes, b's stays; running audio still stays.
    const otherArchive = `${b.id}/${randomUUID()}/training.zip`;
    await put('avatars', otherArchive);
    clock.offsetMs = 8 * DAY;
    try {
      const later = await stack.temporal.workflow.execute<typeof cleanupWorkflow>('cleanupWorkflow', {
        taskQueue: stack.config.temporal.taskQueue,
        workflowId: `cleanup-scoped-${suffix}`,
        args: [{ userIds: [a.id] }],
      });
      expect(later.trainingArchives).toBe(1);
    } finally {
      clock.offsetMs = 0;
    }
    expect(await exists('avatars', [archive, lora, otherArchive])).toEqual([false, true, true]);
    expect(await exists('audio', [...freshDone.keys, ...stillRunning.keys])).toEqual([false, false, false, true, true, true]);
    await stack.storage.removeKeys('avatars', [otherArchive, lora, ...recentPhoto.keys, ...withWorkflow.keys, ...trained.keys]);
    await stack.storage.removeKeys('audio', stillRunning.keys);
    await stack.storage.removeKeys('transcripts', [transcriptText]);
  });
});
