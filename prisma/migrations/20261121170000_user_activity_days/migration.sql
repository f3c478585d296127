-- The UTC days on which each user was active (one row per user and day,
-- written once a day by the bot's activity middleware): "active today",
-- "active in 7 days" and D1/D7/D30 retention are computed from it.

-- CreateTable
CREATE TABLE "user_activity_days" (
    "user_id" INTEGER NOT NULL,
    "day" DATE NOT NULL,

    CONSTRAINT "user_activity_days_pkey" PRIMARY KEY ("user_id","day")
);

-- CreateIndex
CREATE INDEX "user_activity_days_day_idx" ON "user_activity_days"("day");

-- AddForeignKey
ALTER TABLE "user_activity_days" ADD CONSTRAINT "user_activity_days_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
