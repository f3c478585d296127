-- The time zone a user chose in /profile (an IANA name such as
-- "Europe/Moscow"). NULL means the default of the user's language
-- (ru → Europe/Moscow, en → UTC, see docs/decisions.md). Dates in /balance,
-- /jobs, /profile and the gallery are shown in it.

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "time_zone" TEXT;
