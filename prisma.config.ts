import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// Offline combination (see docs/decisions.md): the JS engine with the pg
// driver adapter, so no Rust engine binary has to be downloaded.
// Prisma's CLI (migrate) reads DATABASE_URL; like the app, it takes .env when present.
if (existsSync('.env')) process.loadEnvFile('.env');
// `prisma generate` (run by `npm ci`) needs no database, but when the schema's
// env("DATABASE_URL") is unset it falls back to downloading an engine, which
// fails offline. A placeholder that is never connected to avoids that; a
// command that does connect (migrate) then fails with a clear connection error.
process.env.DATABASE_URL ??= 'postgresql://DATABASE_URL-is-not-set@127.0.0.1:1/unset';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL });
  },
});
