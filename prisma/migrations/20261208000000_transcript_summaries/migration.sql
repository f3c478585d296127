-- "📋 Кратко": an LLM summary of a finished transcript, one attempt per row
-- (workflows/summary.ts). The partial unique index is the guard against a
-- second charge: while one attempt is pending or running, or once one is done,
-- another cannot start, while a failed (refunded) attempt does not block a retry
-- (no semicolons in these comments: the migration engine splits statements at them).

-- CreateTable
CREATE TABLE "transcript_summaries" (
    "id" UUID NOT NULL,
    "transcript_id" UUID NOT NULL,
    "user_id" INTEGER NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'PENDING',
    "price" INTEGER NOT NULL,
    "title" TEXT,
    "key_points" JSONB,
    "action_items" JSONB,
    "language" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "transcript_summaries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "transcript_summaries_transcript_id_idx" ON "transcript_summaries"("transcript_id");

-- CreateIndex
CREATE INDEX "transcript_summaries_user_id_idx" ON "transcript_summaries"("user_id");

-- AddForeignKey
ALTER TABLE "transcript_summaries" ADD CONSTRAINT "transcript_summaries_transcript_id_fkey" FOREIGN KEY ("transcript_id") REFERENCES "transcripts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transcript_summaries" ADD CONSTRAINT "transcript_summaries_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Prisma cannot declare a partial index, so it lives here.
CREATE UNIQUE INDEX "transcript_summaries_one_live" ON "transcript_summaries"("transcript_id") WHERE "status" IN ('PENDING', 'RUNNING', 'COMPLETED');
