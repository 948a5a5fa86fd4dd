-- Exceptions get their own SLA (docs/domain.md, "Exception SLA"), set by an admin: one row for the
-- default and, optionally, one per exception kind (a ConflictRule name) that overrides it. Before
-- this, the queue measured an exception against the case tier's customer response SLA.
CREATE TABLE "ExceptionSla" (
    "kind" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ExceptionSla_pkey" PRIMARY KEY ("kind"),
    CONSTRAINT "ExceptionSla_minutes_check" CHECK ("minutes" BETWEEN 1 AND 43200)
);

INSERT INTO "ExceptionSla" ("kind", "minutes") VALUES ('default', 60);
