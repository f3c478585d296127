// Load generator for the P4 bench (bench/fal-webhooks.ts), run as its own
// process so its CPU is not the handler's: reads webhooks already signed (one
// JSON object a line: path, headers, body), POSTs them to the handler over
// keep-alive connections and prints one JSON line of figures on stdout.
//
//   node --import tsx bench/load/fal-webhook-load.ts --target http://127.0.0.1:PORT --file deliveries.jsonl
//        --concurrency 50 [--rate 2000 [--max-behind 1000]] [--warmup 100] [--seconds 15]
//
// Closed loop (no --rate): `concurrency` senders, each sends the next webhook
// when its previous one is answered; latency is send → answer read.
// Open loop (--rate R): webhook i is due at start + i/R whatever the answers
// do, over at most `concurrency` sockets (the rest wait in the agent's queue);
// latency counts from the due time, so a stalled server shows in it instead
// of silently slowing the sender down. When more than `max-behind` webhooks
// are due but unanswered, the server cannot keep up: sending stops there
// (`fellBehind`) rather than queueing minutes of backlog.
// The first `warmup` webhooks (sockets opened, code paths warm) are sent
// before the clock starts and left out of the figures. `seconds` stops sending
// new webhooks after that long; whatever was not sent is left out of `count`.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
import { percentile } from '../stats';

export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadFigures {
  mode: 'closed' | 'open';
  concurrency: number;
  offeredRate?: number;
  /** Open loop: sending stopped early, more than `max-behind` webhooks were due and unanswered. */
  fellBehind?: boolean;
  /** Webhooks sent and answered (or failed) in the timed phase. */
  count: number;
  seconds: number;
  /** Answered per second, all answers counted (see `statuses`). */
  rate: number;
  p50ms: number;
  p90ms: number;
  p99ms: number;
  maxms: number;
  /** HTTP status → answers; 0 is a request that got no answer (see `errors`). */
  statuses: Record<string, number>;
  /** From the handler's 200 bodies: forwarded (signalled), duplicate, ignored (workflow not running); other for the rest. */
  outcomes: { forwarded: number; duplicate: number; ignored: number; other: number };
  errors: Record<string, number>;
  /** The untimed webhooks sent first: how many, and how many of them were forwarded. */
  warmup: { count: number; forwarded: number };
}

interface Answer {
  status: number;
  outcome: keyof LoadFigures['outcomes'];
  error?: string;
}

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    file: { type: 'string' },
    concurrency: { type: 'string', default: '1' },
    rate: { type: 'string' },
    warmup: { type: 'string', default: '0' },
    seconds: { type: 'string', default: '60' },
    'max-behind': { type: 'string', default: '1000' },
  },
});
if (!values.target || !values.file) {
  process.stderr.write('usage: fal-webhook-load --target URL --file FILE [--concurrency N] [--rate R] [--warmup N] [--seconds S]\n');
  process.exit(2);
}
const target = new URL(values.target);
const concurrency = Math.max(1, Number(values.concurrency));
const offeredRate = values.rate === undefined ? undefined : Number(values.rate);
const warmup = Number(values.warmup);
const maxSeconds = Number(values.seconds);
const maxBehind = Number(values['max-behind']);

// Everything a request needs is built before the clock starts: the sender only writes bytes.
const requests = readFileSync(values.file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => {
    const d = JSON.parse(line) as Delivery;
    const body = Buffer.from(d.body, 'utf8');
    return { path: d.path, body, headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'user-agent': 'fal-webhook-load/1.0', ...d.headers } };
  });
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

function post(r: (typeof requests)[number]): Promise<Answer> {
  return new Promise((resolve) => {
    const req = http.request({ host: target.hostname, port: target.port, method: 'POST', path: r.path, headers: r.headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        let outcome: Answer['outcome'] = 'other';
        if (status === 200) {
          try {
            const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ok?: boolean; duplicate?: boolean; ignored?: boolean };
            outcome = b.duplicate ? 'duplicate' : b.ignored ? 'ignored' : b.ok ? 'forwarded' : 'other';
          } catch {
            // not the handler's answer: counted as other
          }
        }
        resolve({ status, outcome });
      });
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, outcome: 'other', error: err.code ?? err.message }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, outcome: 'other', error: err.code ?? err.message }));
    req.end(r.body);
  });
}

/** Closed loop over `list`: `concurrency` senders; stops taking new ones after `deadline`. */
async function closedLoop(list: typeof requests, deadline: number, record?: (a: Answer, ms: number) => void): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < list.length && performance.now() < deadline) {
        const r = list[next++]!;
        const t0 = performance.now();
        const a = await post(r);
        record?.(a, performance.now() - t0);
      }
    }),
  );
}

/** Open loop over `list` at `rate` per second from now; stops scheduling after `deadline`; true when it fell behind. */
async function openLoop(list: typeof requests, rate: number, deadline: number, record: (a: Answer, ms: number) => void): Promise<boolean> {
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  let answered = 0;
  let behind = false;
  let i = 0;
  while (i < list.length) {
    const now = performance.now();
    if (now >= deadline) break;
    if (i - answered > maxBehind) {
      behind = true;
      break;
    }
    // Everything due by now goes out at once; then wait for the next due time (timers fire ≥ 1 ms late).
    while (i < list.length && start + (i * 1000) / rate <= now) {
      const due = start + (i * 1000) / rate;
      inflight.push(
        post(list[i]!).then((a) => {
          answered += 1;
          record(a, performance.now() - due);
        }),
      );
      i++;
    }
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, Math.max(1, Math.floor(wait))));
  }
  await Promise.all(inflight);
  return behind;
}

const statuses: Record<string, number> = {};
const outcomes: LoadFigures['outcomes'] = { forwarded: 0, duplicate: 0, ignored: 0, other: 0 };
const errors: Record<string, number> = {};
const latencies: number[] = [];
const record = (a: Answer, ms: number) => {
  latencies.push(ms);
  statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  outcomes[a.outcome] += 1;
  if (a.error) errors[a.error] = (errors[a.error] ?? 0) + 1;
};

const warm = { count: 0, forwarded: 0 };
if (warmup > 0) {
  await closedLoop(requests.slice(0, warmup), Infinity, (a) => {
    warm.count += 1;
    if (a.outcome === 'forwarded') warm.forwarded += 1;
  });
}
const timed = requests.slice(warmup);
const started = performance.now();
const deadline = started + maxSeconds * 1000;
let fellBehind = false;
if (offeredRate === undefined) await closedLoop(timed, deadline, record);
else fellBehind = await openLoop(timed, offeredRate, deadline, record);
const seconds = (performance.now() - started) / 1000;
agent.destroy();

const figures: LoadFigures = {
  mode: offeredRate === undefined ? 'closed' : 'open',
  concurrency,
  ...(offeredRate === undefined ? {} : { offeredRate, fellBehind }),
  count: latencies.length,
  seconds,
  rate: latencies.length / seconds,
  p50ms: percentile(latencies, 50),
  p90ms: percentile(latencies, 90),
  p99ms: percentile(latencies, 99),
  maxms: percentile(latencies, 100),
  statuses,
  outcomes,
  errors,
  warmup: warm,
};
process.stdout.write(`${JSON.stringify(figures)}\n`);
