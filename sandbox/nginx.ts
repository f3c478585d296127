// nginx in front of the bots, on this machine (the demo's --production shape and
// the failover test): renders deploy/nginx/aisha.conf.template as the nginx image
// would (envsubst of the AISHA_* variables only), writes a main config whose pid,
// temp paths and logs stay under a prefix of ours, and runs `nginx -p … -c …`
// with `daemon off` in a session of its own; stop() ends it by its pid.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const NGINX_TEMPLATE = fileURLToPath(new URL('../deploy/nginx/aisha.conf.template', import.meta.url));
export const NGINX_BINARY = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';

export interface NginxOptions {
  /** Folder for the rendered configs, pid and temp paths (e.g. .data/run/nginx). */
  prefix: string;
  /** Folder for error and access logs (e.g. .data/logs). */
  logDir: string;
  publicPort: number;
  internalPort: number;
  /** The bots' HTTP servers (host:port), exactly two. */
  bots: [string, string];
  /** The workers' metrics servers (host:port), exactly two. */
  workerMetrics: [string, string];
}

export interface RunningNginx {
  pid: number;
  publicUrl: string;
  internalUrl: string;
  accessLog: string;
  errorLog: string;
  stop(): Promise<void>;
}

/** `${NAME}` → value for the given names only, as the image's envsubst does with its defined variables. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

export async function startNginx(opts: NginxOptions): Promise<RunningNginx> {
  const prefix = resolve(opts.prefix);
  const logDir = resolve(opts.logDir);
  for (const d of [prefix, logDir, join(prefix, 'temp')]) mkdirSync(d, { recursive: true });
  const accessLog = join(logDir, 'nginx-access.log');
  const errorLog = join(logDir, 'nginx-error.log');
  writeFileSync(
    join(prefix, 'aisha.conf'),
    renderTemplate(readFileSync(NGINX_TEMPLATE, 'utf8'), {
      AISHA_NGINX_PUBLIC_PORT: `127.0.0.1:${opts.publicPort}`,
      AISHA_NGINX_INTERNAL_LISTEN: `127.0.0.1:${opts.internalPort}`,
      AISHA_BOT1: opts.bots[0],
      AISHA_BOT2: opts.bots[1],
      AISHA_WORKER1_METRICS: opts.workerMetrics[0],
      AISHA_WORKER2_METRICS: opts.workerMetrics[1],
      AISHA_NGINX_ACCESS_LOG: accessLog,
    }),
  );
  const temp = join(prefix, 'temp');
  writeFileSync(
    join(prefix, 'nginx.conf'),
    [
      'daemon off;',
      'worker_processes 1;',
      `pid ${join(prefix, 'nginx.pid')};`,
      `error_log ${errorLog} warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  client_body_temp_path ${temp}/body;`,
      `  proxy_temp_path ${temp}/proxy;`,
      `  fastcgi_temp_path ${temp}/fastcgi;`,
      `  uwsgi_temp_path ${temp}/uwsgi;`,
      `  scgi_temp_path ${temp}/scgi;`,
      '  default_type application/octet-stream;',
      `  include ${join(prefix, 'aisha.conf')};`,
      '}',
      '',
    ].join('\n'),
  );
  const out = openSync(errorLog, 'a');
  // detached: a session of its own (setsid), so a Ctrl-C in the terminal reaches it only through stop().
  const child = spawn(NGINX_BINARY, ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', errorLog], { stdio: ['ignore', out, out], detached: true });
  child.unref();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const publicUrl = `http://127.0.0.1:${opts.publicPort}`;
  const internalUrl = `http://127.0.0.1:${opts.internalPort}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}); see ${errorLog}:\n${readFileSync(errorLog, 'utf8').split('\n').slice(-10).join('\n')}`);
    if (await fetch(`${publicUrl}/`).then(() => true, () => false)) break;
    if (i > 100) throw new Error(`nginx did not answer on ${publicUrl}; see ${errorLog}`);
    await sleep(100);
  }
  return {
    pid: child.pid!,
    publicUrl,
    internalUrl,
    accessLog,
    errorLog,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(child.pid!, 'SIGQUIT'); // graceful: finishes the requests in flight
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL');
    },
  };
}
