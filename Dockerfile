# syntax=docker/dockerfile:1
# Aisha application image: one image for the worker, the bot and migrations
# (docker-compose.yml picks the command). No build step: TypeScript runs
# through tsx, so the image holds the sources as they are in the repository.
FROM node:20-bookworm-slim

# ffmpeg: audio chunking and conversion in the media activities.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
RUN chown node:node /app
USER node

# Dependencies first (cached while package*.json and the schema do not change).
# `postinstall` runs `prisma generate`, which needs the schema and its config.
# Dev dependencies stay: the `prisma` CLI runs `migrate deploy` from this image.
COPY --chown=node:node package.json package-lock.json prisma.config.ts ./
COPY --chown=node:node prisma ./prisma
# npm ci: exactly the lockfile; install scripts as decided in allowScripts.
RUN npm ci --no-audit --no-fund \
 && npm cache clean --force

COPY --chown=node:node . .

ENV NODE_ENV=production
# Two malloc arenas instead of 8 per core: the worker's resident memory drops by
# 12–16 % (sandbox/processes.ts APP_PROCESS_ENV, docs/decisions.md).
ENV MALLOC_ARENA_MAX=2
EXPOSE 8080
CMD ["npx", "tsx", "workers/main.ts"]
