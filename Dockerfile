# One image for the head and the factories; the command picks the role:
#   docker run barrage head | docker run barrage factory --zone eu-west-1
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN node scripts/setup.mjs

FROM node:20.19-bookworm-slim
WORKDIR /app
COPY --from=build /app /app
ENV NODE_ENV=production
EXPOSE 8400
USER node
ENTRYPOINT ["node", "apps/cli/dist/main.js"]
CMD ["head"]
