# The SpiceDB image the ECS tasks run: the official release, rebuilt into the
# stack's own ECR repository for the task's CPU architecture (the Pulumi
# program passes the version and the platform). Nothing is added: the base is
# distroless, runs as user 65532 and ships grpc_health_probe.
ARG SPICEDB_VERSION
FROM authzed/spicedb:${SPICEDB_VERSION}
