# Build stage: compile TypeScript to plain JavaScript.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies only, unprivileged user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/var/lib/cti-router RULES_DIR=/app/routing-rules
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The `cti` commands (start, migrate, demo-load, rules) run the compiled dist/ here: npm start,
# npm run migrate, npm run demo:load and npm run rules:check work as in a checkout.
COPY bin ./bin
# The agent page is plain files, served as they are; beside the compiled routes that serve them.
COPY src/screenpop/page ./dist/screenpop/page
COPY src/wallboard/page ./dist/wallboard/page
# The Redis scripts are read beside the compiled module that loads them.
COPY src/presence/lua ./dist/presence/lua
COPY sql ./sql
COPY routing-rules ./routing-rules
RUN useradd --system --uid 10001 --home-dir /app cti \
  && mkdir -p /var/lib/cti-router && chown cti /var/lib/cti-router
USER cti
EXPOSE 3000
VOLUME ["/var/lib/cti-router"]
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/cti.js", "start"]
