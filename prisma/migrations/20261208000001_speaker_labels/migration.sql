-- Whether a user's transcripts label speakers ("Спикер 1: …") when a diarizing
-- model is configured (OPENAI_DIARIZE_MODEL), switched in /profile. On by default.

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "speaker_labels" BOOLEAN NOT NULL DEFAULT true;
