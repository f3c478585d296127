-- Every FAL request a workflow submitted: the FAL webhook endpoint forwards a
-- delivery only to the workflow that submitted its request (issue 20).

-- CreateTable
CREATE TABLE "fal_requests" (
    "request_id" TEXT NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "fal_requests_pkey" PRIMARY KEY ("request_id")
);

-- CreateIndex
CREATE INDEX "fal_requests_created_at_idx" ON "fal_requests"("created_at");
