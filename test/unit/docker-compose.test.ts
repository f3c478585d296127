import { existsSync, readFileSync } from 'node:fs';
import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, envSchema } from '../../lib/config';

/** The Temporal server release scripts/env.sh pins for `services start --production`. */
const TEMPORAL_SERVER_VERSION = /TEMPORAL_SERVER_VERSION="(v[\d.]+)"/.exec(readFileSync(new URL('../../scripts/env.sh', import.meta.url), 'utf8'))![1]!;

/**
 * docker-compose.yml cannot run here (no Docker engine), so this checks its
 * shape against the code: the services DESIGN.md ("Scale") names, the ports
 * operators use, and an application environment that lib/config.ts accepts.
 */

type Environment = Record<string, string | number | boolean | null> | string[];
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Environment;
  ports?: (string | number | { target: number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  deploy?: { replicas?: number };
  volumes?: unknown[];
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const composeText = readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8');
// Compose resolves YAML merge keys (`<<: *app-env`); so must the parser.
const compose = parse(composeText, { merge: true }) as Compose;
const dockerfileUrl = new URL('../../Dockerfile', import.meta.url);

const service = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};

/** The environment a service's containers get, as Compose writes it (map or KEY=VALUE list). */
const environmentOf = (name: string): Record<string, string> => {
  const env = service(name).environment ?? {};
  const entries = Array.isArray(env)
    ? env.map((line) => {
        const i = line.indexOf('=');
        return i === -1 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(entries) as Record<string, string>;
};

/** Host ports a service publishes, whatever the syntax ("8080:8080", "127.0.0.1:8233:8080/tcp", long form). */
const publishedPorts = (name: string): number[] =>
  (service(name).ports ?? []).flatMap((p) => {
    if (typeof p === 'object') return p.published === undefined ? [] : [Number(p.published)];
    const parts = String(p).replace(/\/(tcp|udp)$/, '').split(':');
    return parts.length >= 2 ? [Number(parts[parts.length - 2])] : [];
  });

const dependsOn = (name: string): string[] => {
  const d = service(name).depends_on ?? [];
  return Array.isArray(d) ? d : Object.keys(d);
};

/** Compose's interpolation of `${VAR}`, `${VAR:-default}`, `${VAR:?message}` and `$$`, against `host`. */
const interpolate = (value: string, host: Record<string, string>): string =>
  value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (whole, name?: string, op?: string, arg?: string) => {
    if (whole === '$$') return '$';
    const v = host[name!];
    const unset = op?.startsWith(':') ? v === undefined || v === '' : v === undefined;
    if (!unset) return v!;
    if (op?.endsWith('?')) throw new Error(`host variable ${name} is required: ${arg}`);
    return op ? arg! : '';
  });

/** Names the configuration cannot do without: what the schema reports missing from an empty environment. */
const requiredVariables = (): string[] => {
  const parsed = envSchema.safeParse({});
  expect(parsed.success).toBe(false);
  return [...new Set(parsed.error!.issues.map((i) => String(i.path[0])))].sort();
};

// Plausible host secrets, the ones an operator exports before `docker compose up`.
const host: Record<string, string> = {
  TELEGRAM_BOT_TOKEN: '123456789:AAFakeTokenForComposeTest_0123456789',
  TELEGRAM_WEBHOOK_SECRET: 'compose-test-webhook-secret',
  PUBLIC_BASE_URL: 'https://bot.example.com',
  FAL_KEY: 'fal-key-for-compose-test',
  OPENAI_API_KEY: 'sk-compose-test-key',
  POSTGRES_PASSWORD: 'pg-compose-test',
  MINIO_ACCESS_KEY: 'aisha-app',
  MINIO_SECRET_KEY: 'minio-compose-test-secret',
};

const BOTS = ['bot1', 'bot2'];
const WORKERS = ['worker1', 'worker2'];
const APP_SERVICES = [...WORKERS, ...BOTS, 'migrate'];

describe('docker-compose.yml', () => {
  it('declares the production services', () => {
    for (const name of [
      'postgresql',
      'temporal-schema',
      'temporal',
      'temporal-admin-tools',
      'temporal-ui',
      'redis',
      'minio',
      'minio-init',
      'migrate',
      ...WORKERS,
      ...BOTS,
      'nginx',
    ]) {
      expect(compose.services, `service ${name}`).toHaveProperty([name]);
    }
    expect(service('postgresql').image).toMatch(/^postgres:16/);
    expect(service('temporal').image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION.slice(1)}`);
    expect(environmentOf('temporal')).toMatchObject({ TEMPORAL_DB_HOST: 'postgresql' });
    expect(dependsOn('temporal')).toContain('temporal-schema');
    expect(dependsOn('temporal-schema')).toContain('postgresql');
    expect(environmentOf('temporal-ui').TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(String(service('redis').command)).toMatch(/appendonly/);
    expect(String(service('minio').command)).toMatch(/server \/data --console-address :9001/);
  });

  it('publishes Temporal 7233, the Temporal UI on 8233, MinIO 9000/9001 and the webhooks on 8080 through nginx only', () => {
    expect(publishedPorts('temporal')).toContain(7233);
    expect(publishedPorts('temporal-ui')).toContain(8233);
    expect(publishedPorts('minio')).toEqual(expect.arrayContaining([9000, 9001]));
    expect(publishedPorts('nginx')).toContain(8080);
    for (const name of [...BOTS, ...WORKERS]) expect(publishedPorts(name), name).toEqual([]);
  });

  it('gives the application only variable names that lib/config.ts reads', () => {
    for (const name of APP_SERVICES) {
      const unknown = Object.keys(environmentOf(name)).filter((v) => !CONFIG_VARIABLES.includes(v));
      expect(unknown, `${name}: variables not in CONFIG_VARIABLES`).toEqual([]);
    }
  });

  it('gives the worker and the bot every variable the configuration requires', () => {
    const required = requiredVariables();
    expect(required.length).toBeGreaterThan(0);
    for (const name of [...WORKERS, ...BOTS]) {
      const missing = required.filter((v) => !(v in environmentOf(name)));
      expect(missing, `${name}: required variables missing`).toEqual([]);
    }
  });

  it('gives the worker and the bot an environment lib/config.ts accepts once the host secrets are set', () => {
    for (const name of [...WORKERS, ...BOTS]) {
      const env = Object.fromEntries(Object.entries(environmentOf(name)).map(([k, v]) => [k, interpolate(v, host)]));
      const parsed = envSchema.safeParse(env);
      expect(parsed.error?.issues ?? [], `${name}: configuration problems`).toEqual([]);
    }
  });

  it('refuses to start without the secrets (no default baked in)', () => {
    const bot = environmentOf('bot1');
    for (const secret of ['TELEGRAM_BOT_TOKEN', 'TELEGRAM_WEBHOOK_SECRET', 'MINIO_SECRET_KEY', 'DATABASE_URL']) {
      expect(() => interpolate(bot[secret] ?? '', {}), secret).toThrow(/is required/);
    }
  });

  it('runs two bots in webhook mode on HTTP_PORT with a /healthz check', () => {
    for (const name of BOTS) {
      const bot = service(name);
      expect(environmentOf(name)).toMatchObject({ BOT_MODE: 'webhook', HTTP_PORT: '8080' });
      expect([bot.command].flat().join(' ')).toBe('npx tsx bot/main.ts');
      expect([bot.healthcheck?.test].flat().join(' ')).toContain('http://localhost:8080/healthz');
    }
  });

  it('runs two workers and the migrations from the application image', () => {
    for (const name of WORKERS) expect([service(name).command].flat().join(' '), name).toBe('npx tsx workers/main.ts');
    expect([service('migrate').command].flat().join(' ')).toBe('npx prisma migrate deploy');
    for (const name of APP_SERVICES) expect(service(name).build ?? service(name).image, name).toBeDefined();
    expect(service('migrate').image).toBe(service('worker1').image);
  });

  it('puts nginx in front of both bots and both workers with the template the demo runs, every variable set', () => {
    const template = readFileSync(new URL('../../deploy/nginx/aisha.conf.template', import.meta.url), 'utf8');
    const volume = (service('nginx').volumes ?? []).map(String).find((v) => v.startsWith('./deploy/nginx/aisha.conf.template:'));
    // The image renders /etc/nginx/templates/*.template into conf.d/ at start.
    expect(volume?.split(':')[1]).toBe('/etc/nginx/templates/aisha.conf.template');
    const env = environmentOf('nginx');
    const templateReads = new Set([...template.matchAll(/\$\{(AISHA_[A-Z0-9_]+)\}/g)].map((m) => m[1]!));
    expect(templateReads.size).toBeGreaterThan(0);
    for (const name of templateReads) expect(env, `nginx: ${name}`).toHaveProperty([name]);
    // Only our variables are substituted: nginx's own $host, $remote_addr… stay.
    expect(env.NGINX_ENVSUBST_FILTER).toBe('^AISHA_');
    // Each upstream is a service of this file, on the port that service listens on.
    const [bot1, bot2, w1, w2] = [env.AISHA_BOT1, env.AISHA_BOT2, env.AISHA_WORKER1_METRICS, env.AISHA_WORKER2_METRICS];
    expect([bot1, bot2]).toEqual(BOTS.map((b) => `${b}:${environmentOf(b).HTTP_PORT}`));
    expect([w1, w2]).toEqual(WORKERS.map((w) => `${w}:${environmentOf(w).METRICS_PORT}`));
    expect(publishedPorts('nginx')).toContain(Number(env.AISHA_NGINX_PUBLIC_PORT));
    expect(dependsOn('nginx')).toEqual(expect.arrayContaining([...BOTS, ...WORKERS]));
  });

  it('starts the workers and the bots after Temporal, PostgreSQL and the migrations', () => {
    for (const name of [...WORKERS, ...BOTS]) {
      expect(dependsOn(name), name).toEqual(expect.arrayContaining(['temporal', 'postgresql', 'migrate']));
      const conditions = service(name).depends_on as Record<string, { condition?: string }>;
      expect(conditions.migrate?.condition, name).toBe('service_completed_successfully');
      expect(conditions.postgresql?.condition, name).toBe('service_healthy');
    }
    for (const name of WORKERS) expect(dependsOn(name)).toEqual(expect.arrayContaining(['redis', 'minio']));
  });

  it('mounts only files this repository has, at the paths their commands read', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const volume of s.volumes ?? []) {
        const source = String(volume).split(':')[0]!;
        if (!source.startsWith('.')) continue; // named volumes
        expect(existsSync(new URL(`../../${source}`, import.meta.url)), `${name}: ${source}`).toBe(true);
      }
    }
    const mounted = (name: string, file: string) => {
      const volume = (service(name).volumes ?? []).map(String).find((v) => v.startsWith('./deploy/temporal:'));
      expect(volume, `${name} mounts ./deploy/temporal`).toBeDefined();
      const target = volume!.split(':')[1]!;
      return `${target}/${file}`;
    };
    expect([service('temporal-schema').entrypoint].flat().join(' ')).toContain(mounted('temporal-schema', 'setup-schema.sh'));
    expect([service('temporal-admin-tools').entrypoint].flat().join(' ')).toContain(mounted('temporal-admin-tools', 'setup-namespace.sh'));
    const server = [service('temporal').entrypoint].flat().join(' ');
    expect(server).toContain(`--root ${mounted('temporal', '').replace(/\/$/, '')} --config config --env production`);
    expect(environmentOf('temporal').TEMPORAL_DYNAMIC_CONFIG_FILE).toBe(mounted('temporal', 'dynamicconfig/production.yaml'));
  });

  it('gives the Temporal server and its schema job the variables deploy/temporal reads, and no others', () => {
    const template = readFileSync(new URL('../../deploy/temporal/config/production.yaml', import.meta.url), 'utf8');
    const schemaScript = readFileSync(new URL('../../deploy/temporal/setup-schema.sh', import.meta.url), 'utf8');
    const read = (text: string) => new Set([...text.matchAll(/env "([A-Z_]+)"|\$\{?(TEMPORAL_[A-Z_]+)/g)].map((m) => m[1] ?? m[2]!));
    const serverReads = read(template);
    // Without these the server cannot reach its databases or its dynamic config.
    for (const name of ['TEMPORAL_DB_HOST', 'TEMPORAL_DB_USER', 'TEMPORAL_DB_PASSWORD', 'TEMPORAL_DYNAMIC_CONFIG_FILE']) {
      expect(serverReads.has(name), name).toBe(true);
      expect(environmentOf('temporal'), `temporal: ${name}`).toHaveProperty([name]);
    }
    const unread = Object.keys(environmentOf('temporal')).filter((v) => !serverReads.has(v) && !['TEMPORAL_SCHEMA_DIR', 'TEMPORAL_SQL_TOOL'].includes(v));
    expect(unread, 'temporal: variables the config never reads').toEqual([]);
    const schemaReads = read(schemaScript);
    for (const name of Object.keys(environmentOf('temporal-schema'))) expect(schemaReads.has(name), `temporal-schema: ${name}`).toBe(true);
  });

  it('registers the UserId, JobKind and JobStatus search attributes as Keyword', () => {
    const script = readFileSync(new URL('../../deploy/temporal/setup-namespace.sh', import.meta.url), 'utf8');
    expect(script).toMatch(/operator search-attribute create/);
    expect(script).toMatch(/--type Keyword/);
    for (const attr of ['UserId', 'JobKind', 'JobStatus']) expect(script).toContain(attr);
  });

  it('creates the MinIO buckets of DESIGN.md', () => {
    const script = [service('minio-init').command].flat().join('\n');
    for (const bucket of ['avatars', 'generations', 'audio', 'transcripts']) expect(script).toContain(bucket);
  });
});

describe('Dockerfile', () => {
  it('builds on Node 20 with ffmpeg, installs exactly the lockfile (npm ci) and runs as node', () => {
    expect(existsSync(dockerfileUrl)).toBe(true);
    const dockerfile = readFileSync(dockerfileUrl, 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20[\w.-]*/m);
    expect(dockerfile).toMatch(/apt-get install[^\n]*\bffmpeg\b/);
    // `postinstall` runs `prisma generate`: the schema and its config must be in place before the install.
    const lines = dockerfile.split('\n');
    const line = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const npmCi = line(/^RUN\b.*\bnpm ci\b/);
    expect(npmCi).toBeGreaterThan(-1);
    expect(line(/^COPY\b.*\sprisma\/?\s/)).toBeGreaterThan(-1);
    expect(line(/^COPY\b.*\sprisma\/?\s/)).toBeLessThan(npmCi);
    expect(line(/^COPY\b.*\sprisma\.config\.ts\b/)).toBeGreaterThan(-1);
    expect(line(/^COPY\b.*\sprisma\.config\.ts\b/)).toBeLessThan(npmCi);
    expect(dockerfile).toMatch(/^USER node$/m);
  });
});
