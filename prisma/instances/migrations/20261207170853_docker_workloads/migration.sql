-- CreateEnum
CREATE TYPE "RestartPolicy" AS ENUM ('NEVER', 'ON_FAILURE', 'ALWAYS');

-- AlterEnum
ALTER TYPE "InstanceStatus" ADD VALUE 'UNHEALTHY';

-- AlterTable
ALTER TABLE "instances" ADD COLUMN     "machine_version" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "restart_count" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "machines" ADD COLUMN     "build_context" VARCHAR(255),
ADD COLUMN     "health_check" JSONB,
ADD COLUMN     "max_restarts" INTEGER NOT NULL DEFAULT 3,
ADD COLUMN     "restart_policy" "RestartPolicy" NOT NULL DEFAULT 'NEVER',
ADD COLUMN     "retired_at" TIMESTAMPTZ(3),
ADD COLUMN     "version" INTEGER NOT NULL DEFAULT 1;

-- CreateTable
CREATE TABLE "machine_versions" (
    "machine_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "machine_versions_pkey" PRIMARY KEY ("machine_id","version")
);

-- CreateTable
CREATE TABLE "instance_leases" (
    "instance_id" UUID NOT NULL,
    "holder" VARCHAR(100) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "instance_leases_pkey" PRIMARY KEY ("instance_id")
);

-- AddForeignKey
ALTER TABLE "machine_versions" ADD CONSTRAINT "machine_versions_machine_id_fkey" FOREIGN KEY ("machine_id") REFERENCES "machines"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "instance_leases" ADD CONSTRAINT "instance_leases_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: every existing machine's workload becomes its version 1, the one its instances run.
INSERT INTO "machine_versions" ("machine_id", "version", "spec")
SELECT "id", 1, jsonb_build_object(
  'image', "image", 'buildContext', NULL, 'command', to_jsonb("command"), 'exposedPort', "exposed_port",
  'environment', "environment", 'volumeMountPath', "volume_mount_path", 'cpuLimit', "cpu_limit",
  'memoryLimitMb', "memory_limit_mb", 'healthCheck', NULL, 'restartPolicy', 'NEVER', 'maxRestarts', 3)
FROM "machines";

ALTER TABLE "machines" ADD CONSTRAINT "machines_version_check" CHECK ("version" >= 1);
ALTER TABLE "machines" ADD CONSTRAINT "machines_max_restarts_check" CHECK ("max_restarts" BETWEEN 0 AND 100);
ALTER TABLE "instances" ADD CONSTRAINT "instances_restart_count_check" CHECK ("restart_count" >= 0);
-- A build context runs something too.
ALTER TABLE "machines" DROP CONSTRAINT "machines_runs_something";
ALTER TABLE "machines" ADD CONSTRAINT "machines_runs_something"
  CHECK ("image" IS NOT NULL OR "build_context" IS NOT NULL OR cardinality("command") > 0);
ALTER TABLE "machines" ADD CONSTRAINT "machines_build_context_relative"
  CHECK ("build_context" IS NULL OR ("build_context" NOT LIKE '/%' AND "build_context" NOT LIKE '%..%'));
