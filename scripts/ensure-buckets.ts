// Creates the MinIO buckets of DESIGN.md (called by `npm run services -- start`).
import { loadMinioConfig } from '../lib/config';
import { createMinio, ensureBuckets } from '../lib/minio';

const created = await ensureBuckets(createMinio(loadMinioConfig()));
if (created.length) process.stdout.write(`created buckets: ${created.join(', ')}\n`);
