-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('BUYER', 'SELLER', 'AGENT', 'HOST', 'ADMIN');

-- CreateEnum
CREATE TYPE "InstanceStatus" AS ENUM ('REQUESTED', 'STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED', 'REMOVED');

-- CreateEnum
CREATE TYPE "RuntimeDriver" AS ENUM ('DOCKER', 'PROCESS');

-- CreateEnum
CREATE TYPE "LogStream" AS ENUM ('STDOUT', 'STDERR');

-- CreateTable
CREATE TABLE "machines" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "description" VARCHAR(2000),
    "image" VARCHAR(255),
    "command" TEXT[],
    "exposed_port" INTEGER,
    "environment" JSONB NOT NULL DEFAULT '[]',
    "volume_mount_path" VARCHAR(255),
    "cpu_limit" DOUBLE PRECISION,
    "memory_limit_mb" INTEGER,
    "max_instances_per_user" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,
    "allowed_roles" "Role"[] DEFAULT ARRAY[]::"Role"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "machines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "instances" (
    "id" UUID NOT NULL,
    "machine_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "status" "InstanceStatus" NOT NULL DEFAULT 'REQUESTED',
    "host" VARCHAR(255) NOT NULL,
    "port" INTEGER NOT NULL,
    "driver" "RuntimeDriver" NOT NULL,
    "runtime_ref" VARCHAR(128),
    "failure_reason" VARCHAR(2000),
    "exit_code" INTEGER,
    "started_at" TIMESTAMPTZ(3),
    "stopped_at" TIMESTAMPTZ(3),
    "removed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "instance_log_lines" (
    "id" BIGSERIAL NOT NULL,
    "instance_id" UUID NOT NULL,
    "stream" "LogStream" NOT NULL,
    "line" TEXT NOT NULL,
    "logged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "instance_log_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" UUID NOT NULL,
    "type" VARCHAR(100) NOT NULL,
    "version" INTEGER NOT NULL,
    "aggregate_id" VARCHAR(100) NOT NULL,
    "payload" JSONB NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox_events" (
    "consumer" VARCHAR(100) NOT NULL,
    "event_id" UUID NOT NULL,
    "handled_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_events_pkey" PRIMARY KEY ("consumer","event_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "machines_name_key" ON "machines"("name");

-- CreateIndex
CREATE INDEX "instances_owner_id_created_at_idx" ON "instances"("owner_id", "created_at");

-- CreateIndex
CREATE INDEX "instances_machine_id_status_idx" ON "instances"("machine_id", "status");

-- CreateIndex
CREATE INDEX "instances_status_idx" ON "instances"("status");

-- CreateIndex
CREATE INDEX "instance_log_lines_instance_id_id_idx" ON "instance_log_lines"("instance_id", "id");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_occurred_at_idx" ON "outbox_events"("published_at", "occurred_at");

-- AddForeignKey
ALTER TABLE "instances" ADD CONSTRAINT "instances_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "instance_log_lines" ADD CONSTRAINT "instance_log_lines_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand: what Prisma's schema language cannot say.

-- A port is handed out once per host: only instances that are not REMOVED hold theirs. Allocation
-- serializes per machine and per host already; this index is the guarantee if anything else writes.
CREATE UNIQUE INDEX "instances_host_port_live_key" ON "instances" ("host", "port") WHERE "status" <> 'REMOVED';

-- Machine names are unique whatever their case.
CREATE UNIQUE INDEX "machines_name_lower_key" ON "machines" (lower("name"));

ALTER TABLE "machines"
  ADD CONSTRAINT "machines_name_not_blank" CHECK (btrim("name") <> ''),
  ADD CONSTRAINT "machines_capacity_positive" CHECK ("capacity" > 0),
  ADD CONSTRAINT "machines_max_instances_per_user_positive" CHECK ("max_instances_per_user" > 0),
  ADD CONSTRAINT "machines_exposed_port_range" CHECK ("exposed_port" BETWEEN 1 AND 65535),
  ADD CONSTRAINT "machines_cpu_limit_positive" CHECK ("cpu_limit" > 0),
  ADD CONSTRAINT "machines_memory_limit_positive" CHECK ("memory_limit_mb" > 0),
  ADD CONSTRAINT "machines_command_present" CHECK ("command" IS NOT NULL AND array_position("command", NULL) IS NULL),
  ADD CONSTRAINT "machines_runs_something" CHECK ("image" IS NOT NULL OR cardinality("command") > 0),
  ADD CONSTRAINT "machines_allowed_roles_present" CHECK ("allowed_roles" IS NOT NULL AND array_position("allowed_roles", NULL) IS NULL),
  ADD CONSTRAINT "machines_environment_is_array" CHECK (jsonb_typeof("environment") = 'array'),
  ADD CONSTRAINT "machines_volume_mount_path_absolute" CHECK ("volume_mount_path" LIKE '/%');

ALTER TABLE "instances"
  ADD CONSTRAINT "instances_port_range" CHECK ("port" BETWEEN 1 AND 65535),
  ADD CONSTRAINT "instances_host_not_blank" CHECK (btrim("host") <> ''),
  ADD CONSTRAINT "instances_removed_at_when_removed" CHECK (("status" = 'REMOVED') = ("removed_at" IS NOT NULL));
