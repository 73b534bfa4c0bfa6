# The Cepheus engine image. Node 24 runs the TypeScript sources directly (type stripping),
# so there is no build step: the image holds src/, rules/, schemas/ and the bundled fixture.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
COPY package.json package-lock.json ./
# node@24 is a devDependency for machines whose system Node is older; the image has Node 24.
RUN npm ci --omit=dev --no-audit --no-fund
COPY src ./src
COPY rules ./rules
COPY schemas ./schemas
COPY fixtures ./fixtures
COPY config ./config
EXPOSE 8080
USER node
ENTRYPOINT ["node", "src/cli.ts"]
# Without arguments the image runs the embedded demo (no Kafka needed); docker-compose.yml
# runs `run --config config/cepheus.compose.yaml`, the Kafka service.
CMD ["demo", "--host", "0.0.0.0", "--data", "/tmp/cepheus-demo"]
