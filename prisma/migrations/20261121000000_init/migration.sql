-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Language" AS ENUM ('ru', 'en');

-- CreateEnum
CREATE TYPE "TransactionKind" AS ENUM ('GRANT', 'TOPUP', 'CHARGE', 'REFUND', 'ADJUST');

-- CreateEnum
CREATE TYPE "AvatarType" AS ENUM ('PORTRAIT', 'STYLE');

-- CreateEnum
CREATE TYPE "AvatarStatus" AS ENUM ('COLLECTING_PHOTOS', 'READY', 'CHARGED', 'TRAINING', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PhotoStatus" AS ENUM ('ACCEPTED', 'REJECTED');

-- CreateEnum
CREATE TYPE "GenerationMode" AS ENUM ('AVATAR', 'IMAGEN4');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('PENDING', 'RUNNING', 'COMPLETED', 'PARTIAL', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('PAID', 'REFUNDED');

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "telegram_id" BIGINT NOT NULL,
    "username" TEXT,
    "first_name" TEXT,
    "language" "Language" NOT NULL DEFAULT 'ru',
    "is_blocked" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "last_seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "balances" (
    "user_id" INTEGER NOT NULL,
    "credits" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "balances_pkey" PRIMARY KEY ("user_id")
);

-- CreateTable
CREATE TABLE "transactions" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "kind" "TransactionKind" NOT NULL,
    "amount" INTEGER NOT NULL,
    "balance_after" INTEGER NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "job_id" TEXT,
    "reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "avatars" (
    "id" UUID NOT NULL,
    "user_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "type" "AvatarType" NOT NULL,
    "status" "AvatarStatus" NOT NULL DEFAULT 'COLLECTING_PHOTOS',
    "trigger_phrase" TEXT NOT NULL,
    "is_main" BOOLEAN NOT NULL DEFAULT false,
    "fal_request_id" TEXT,
    "lora_url" TEXT,
    "config_url" TEXT,
    "lora_object_key" TEXT,
    "failure_reason" TEXT,
    "trained_at" TIMESTAMP(3),
    "deleted_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "avatars_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "avatar_photos" (
    "id" UUID NOT NULL,
    "avatar_id" UUID NOT NULL,
    "file_id" TEXT NOT NULL,
    "file_unique_id" TEXT NOT NULL,
    "sha256" TEXT,
    "object_key" TEXT,
    "width" INTEGER,
    "height" INTEGER,
    "size_bytes" INTEGER,
    "status" "PhotoStatus" NOT NULL,
    "reject_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "avatar_photos_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "generations" (
    "id" UUID NOT NULL,
    "user_id" INTEGER NOT NULL,
    "mode" "GenerationMode" NOT NULL,
    "avatar_id" UUID,
    "prompt" TEXT NOT NULL,
    "enhanced_prompt" TEXT,
    "reference_file_id" TEXT,
    "aspect_ratio" TEXT NOT NULL,
    "num_images" INTEGER NOT NULL,
    "unit_price" INTEGER NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'PENDING',
    "fal_request_id" TEXT,
    "failure_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "generations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "images" (
    "id" UUID NOT NULL,
    "user_id" INTEGER NOT NULL,
    "generation_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "kind" "GenerationMode" NOT NULL,
    "avatar_id" UUID,
    "object_key" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "seed" BIGINT,
    "prompt" TEXT NOT NULL,
    "enhanced_prompt" TEXT,
    "quality_score" INTEGER,
    "quality_verdict" JSONB,
    "is_favorite" BOOLEAN NOT NULL DEFAULT false,
    "telegram_file_id" TEXT,
    "deleted_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "images_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transcripts" (
    "id" UUID NOT NULL,
    "user_id" INTEGER NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'PENDING',
    "file_id" TEXT NOT NULL,
    "file_unique_id" TEXT NOT NULL,
    "file_name" TEXT,
    "mime_type" TEXT,
    "size_bytes" INTEGER,
    "duration_sec" INTEGER,
    "language" TEXT,
    "audio_object_key" TEXT,
    "text" TEXT,
    "segments" JSONB,
    "txt_object_key" TEXT,
    "srt_object_key" TEXT,
    "chunk_count" INTEGER,
    "failure_reason" TEXT,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMP(3),

    CONSTRAINT "transcripts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payments" (
    "id" SERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "telegram_payment_charge_id" TEXT NOT NULL,
    "provider_payment_charge_id" TEXT,
    "currency" TEXT NOT NULL DEFAULT 'XTR',
    "stars" INTEGER NOT NULL,
    "credits" INTEGER NOT NULL,
    "pack_id" TEXT NOT NULL,
    "status" "PaymentStatus" NOT NULL DEFAULT 'PAID',
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refunded_at" TIMESTAMP(3),

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "processed_webhooks" (
    "id" SERIAL NOT NULL,
    "source" TEXT NOT NULL,
    "external_id" TEXT NOT NULL,
    "workflow_id" TEXT,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "processed_webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_telegram_id_key" ON "users"("telegram_id");

-- CreateIndex
CREATE INDEX "users_created_at_idx" ON "users"("created_at");

-- CreateIndex
CREATE INDEX "users_last_seen_at_idx" ON "users"("last_seen_at");

-- CreateIndex
CREATE UNIQUE INDEX "transactions_idempotency_key_key" ON "transactions"("idempotency_key");

-- CreateIndex
CREATE INDEX "transactions_user_id_created_at_idx" ON "transactions"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "transactions_job_id_idx" ON "transactions"("job_id");

-- CreateIndex
CREATE INDEX "transactions_kind_created_at_idx" ON "transactions"("kind", "created_at");

-- CreateIndex
CREATE INDEX "avatars_user_id_created_at_idx" ON "avatars"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "avatars_status_idx" ON "avatars"("status");

-- CreateIndex
CREATE INDEX "avatar_photos_avatar_id_sha256_idx" ON "avatar_photos"("avatar_id", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "avatar_photos_avatar_id_file_unique_id_key" ON "avatar_photos"("avatar_id", "file_unique_id");

-- CreateIndex
CREATE INDEX "generations_user_id_created_at_idx" ON "generations"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "generations_status_idx" ON "generations"("status");

-- CreateIndex
CREATE INDEX "images_user_id_created_at_idx" ON "images"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "images_user_id_kind_created_at_idx" ON "images"("user_id", "kind", "created_at" DESC);

-- CreateIndex
CREATE INDEX "images_user_id_is_favorite_created_at_idx" ON "images"("user_id", "is_favorite", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "images_generation_id_position_key" ON "images"("generation_id", "position");

-- CreateIndex
CREATE INDEX "transcripts_user_id_created_at_idx" ON "transcripts"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "transcripts_status_idx" ON "transcripts"("status");

-- CreateIndex
CREATE UNIQUE INDEX "payments_telegram_payment_charge_id_key" ON "payments"("telegram_payment_charge_id");

-- CreateIndex
CREATE INDEX "payments_user_id_created_at_idx" ON "payments"("user_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "processed_webhooks_source_external_id_key" ON "processed_webhooks"("source", "external_id");

-- AddForeignKey
ALTER TABLE "balances" ADD CONSTRAINT "balances_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "avatars" ADD CONSTRAINT "avatars_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "avatar_photos" ADD CONSTRAINT "avatar_photos_avatar_id_fkey" FOREIGN KEY ("avatar_id") REFERENCES "avatars"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "generations" ADD CONSTRAINT "generations_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "generations" ADD CONSTRAINT "generations_avatar_id_fkey" FOREIGN KEY ("avatar_id") REFERENCES "avatars"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_generation_id_fkey" FOREIGN KEY ("generation_id") REFERENCES "generations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "images" ADD CONSTRAINT "images_avatar_id_fkey" FOREIGN KEY ("avatar_id") REFERENCES "avatars"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transcripts" ADD CONSTRAINT "transcripts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Money invariants the database enforces by itself.
ALTER TABLE "balances" ADD CONSTRAINT "balances_credits_non_negative" CHECK ("credits" >= 0);
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_amount_non_zero" CHECK ("amount" <> 0);
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_balance_after_non_negative" CHECK ("balance_after" >= 0);
ALTER TABLE "transactions" ADD CONSTRAINT "transactions_sign_matches_kind" CHECK (
  ("kind" IN ('GRANT', 'TOPUP', 'REFUND') AND "amount" > 0) OR ("kind" = 'CHARGE' AND "amount" < 0) OR "kind" = 'ADJUST'
);
