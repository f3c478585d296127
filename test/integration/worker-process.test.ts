import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLEANUP_CALENDAR, cleanupScheduleId, ensureCleanupSchedule } from '../../workers/cleanup-schedule';
import { freeLoopbackPort } from '../../workers/metrics-server';
import { TEST_BOT_TOKEN, uniqueSuffix } from '../helpers/config';
import { sampleValue, scrape } from '../helpers/metrics';
import { eventually } from '../helpers/stack';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm run worker` as operators run it (workers/main.ts in its own process, on
 * a private task queue): it creates the cleanup Schedule, serves /metrics with
 * our series and the Temporal SDK's, and stops cleanly on SIGTERM. It is
 * started while its Temporal address does not answer yet (a server restarting:
 * the chaos drill), and waits for it instead of exiting.
 */
describe('the worker process', () => {
  const taskQueue = `aisha-wp${uniqueSuffix()}`;
  const output: string[] = [];
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let metricsUrl: string;
  let connection: Connection;
  let client: Client;
  // Temporal through a TCP relay that starts listening only after the worker tried and failed to connect.
  const relay = net.createServer((socket) => {
    const [host, port] = inject('env').TEMPORAL_ADDRESS!.split(':');
    const upstream = net.connect(Number(port), host);
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });

  beforeAll(async () => {
    const metricsPort = await freeLoopbackPort();
    const relayPort = await freeLoopbackPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}`;
    const env = inject('env');
    child = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
        TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
        TEMPORAL_ADDRESS: `127.0.0.1:${relayPort}`,
        TEMPORAL_TASK_QUEUE: taskQueue,
        METRICS_PORT: String(metricsPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (d: Buffer) => output.push(...d.toString('utf8').split('\n').filter(Boolean)));
    await eventually(() => output.some((l) => l.includes('"msg":"Temporal unreachable; connecting again"')), { timeoutMs: 60_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-20).join('\n')}`);
    });
    expect(child.exitCode).toBeNull();
    await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
    connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
    await eventually(() => output.some((l) => l.includes('"msg":"workers running"')), { timeoutMs: 120_000 }).catch((err: Error) => {
      throw new Error(`${err.message}\n${output.slice(-20).join('\n')}`);
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await client?.schedule.getHandle(cleanupScheduleId(taskQueue)).delete().catch(() => undefined);
    await connection?.close();
    relay.close();
  });

  it('creates the daily cleanup Schedule for its task queue at start', async () => {
    expect(output.some((l) => l.includes('"msg":"cleanup schedule created"'))).toBe(true);
    const described = await client.schedule.getHandle(cleanupScheduleId(taskQueue)).describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'cleanupWorkflow', taskQueue });
    expect(described.spec.calendars?.[0]).toMatchObject({ hour: [{ start: CLEANUP_CALENDAR.hour }], minute: [{ start: CLEANUP_CALENDAR.minute }] });
    // Another worker starting finds it there.
    expect(await ensureCleanupSchedule(client, taskQueue)).toMatchObject({ created: false });
  });

  it('serves /metrics: our series and the Temporal SDK metrics in one scrape', async () => {
    const text = await eventually(async () => {
      const t = await scrape(`${metricsUrl}/metrics`);
      return /^temporal_\w+\{.*task_queue="[^"]*"/m.test(t) ? t : null;
    });
    expect(sampleValue(text, 'aisha_jobs_started_total', { kind: 'generation' })).toBe(0);
    expect(sampleValue(text, 'aisha_credits_charged_total', { kind: 'avatar_training' })).toBe(0);
    expect(text).toMatch(/^# HELP aisha_jobs_failed_total /m);
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
    expect(text).toMatch(new RegExp(`^temporal_\\w+\\{.*task_queue="${taskQueue}"`, 'm'));
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
  });

  it('stops gracefully on SIGTERM', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output.some((l) => l.includes('"msg":"workers stopped"'))).toBe(true);
  });
});
