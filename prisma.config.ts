import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// Offline combination (see docs/decisions.md): the JS engine with the pg
// driver adapter, so no Rust engine binary has to be downloaded.
// Prisma's CLI (migrate) reads DATABASE_URL; like the app, it takes .env when present.
if (existsSync('.env')) process.loadEnvFile('.env');

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  async adapter() {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error('DATABASE_URL is not set');
    return new PrismaPg({ connectionString });
  },
});
