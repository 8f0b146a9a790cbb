# One image for the head and the factories; the command picks the role:
#   docker run barrage head | docker run barrage factory --zone eu-west-1
# Size: see README.md ("Image"); measured as an estimate, there is no Docker engine to build it here.

# 1. Build: every dependency, then TypeScript and the Prisma client.
FROM node:20.19-bookworm-slim AS build
ENV CI=true
WORKDIR /app
COPY . .
RUN node scripts/setup.mjs
# 2. What runs, apart: production dependencies only, installed afresh from the manifests and
#    the lockfile out of the store the build just filled (what `pnpm deploy --prod` does for one
#    package, here for the workspace, so the head's relative path to prisma/migrations holds),
#    without optional dependencies (embedded-postgres, for `barrage stack` on a laptop, and
#    Prisma's CLI, an optional peer of its client); then the build output.
RUN mkdir /prod \
 && tar -cf - package.json pnpm-lock.yaml pnpm-workspace.yaml patches apps/*/package.json libs/*/package.json | tar -xf - -C /prod \
 && cd /prod \
 && npx --yes pnpm@10.34.8 install --prod --frozen-lockfile --no-optional --offline \
 && for d in apps/head apps/factory apps/cli libs/config libs/contracts libs/planning libs/metrics; do cp -r /app/$d/dist /prod/$d/dist; done \
 && mkdir -p /prod/prisma /prod/scripts \
 && cp -r /app/prisma/migrations /prod/prisma/migrations \
 && cp /app/scripts/healthcheck.mjs /prod/scripts/

# 3. Runtime: Node, tini, the production tree; owned by root, run as the unprivileged `node` user.
FROM node:20.19-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    METRICS_PORT=9464
WORKDIR /app
COPY --from=build /prod /app
USER node
EXPOSE 8400 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
# tini is PID 1: it hands SIGTERM to node (which closes the head, or hands a factory's chunks
# back, then exits) and reaps any zombie.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "apps/cli/dist/main.js"]
CMD ["head"]
