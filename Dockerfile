# One image, both binaries: dist/controller/main.js (tsc's output) and dist/speaker/speaker.mjs (the speaker as
# one ES module, scripts/bundle-speaker.ts: without client-node's generated API layer, which it never calls).
#   docker build -t ghcr.io/herald-lb/herald:v0.1.0 .
# BASE_IMAGE is the image both stages start from: node:24-slim for users. Any Debian-family base with apt and Node 24
# and npm on PATH works (the addon builds against the headers of the `node` devDependency, not the base's): the tests
# build this same file with no registry, from a base made locally by debootstrap plus the Node the project pins
# (scripts/image/, docs/install.md "The image").
# The Deployment (config/controller) runs `node dist/controller/main.js`; the speaker DaemonSet runs
# the command below from the same image. test/lab/speakers.ts reads the flags from this line, so the lab and
# the footprint bench run the speaker as production does.
# The flags keep V8's heap near what is live (docs/layer2.md, "Memory"): a 1 MiB young generation, and an old one
# that grows by 20 % over the live heap between full collections (not up to 4x) and is tuned for size;
# MALLOC_ARENA_MAX=2 keeps glibc from giving each of V8's threads its own malloc arena (the DaemonSet's env).
# speaker: MALLOC_ARENA_MAX=2 node --max-semi-space-size=1 --optimize-for-size --heap-growing-percent=20 dist/speaker/speaker.mjs

ARG BASE_IMAGE=node:24-slim

# --- build: compile TypeScript and the speaker's N-API addon -------------------------------------------
FROM ${BASE_IMAGE} AS build
# node-gyp needs python3, make and a C compiler for build/Release/herald_packet.node (binding.gyp).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Manifests first, so the dependency layer is cached until they change.
COPY package.json package-lock.json binding.gyp ./
COPY scripts/addon-nodedir.cjs scripts/
COPY speaker/native/ speaker/native/
# npm ci also builds the addon: package.json's install script runs node-gyp against the pinned Node's headers.
RUN npm ci
COPY . .
RUN npm run build:binaries \
 && test -f build/Release/herald_packet.node \
 && test -f dist/controller/main.js \
 && test -f dist/speaker/speaker.mjs \
 && npm prune --omit=dev \
 # Node loads .js/.mjs/.cjs/.json/.node files: TypeScript sources and declarations and source maps are for editors
 # and debuggers (about half of what client-node and the rest bring; nothing runs with --enable-source-maps).
 # Licences and READMEs stay.
 && find node_modules dist -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.map' \) -delete

# --- runtime: only what the binaries load -----------------------------------------------------------------
FROM ${BASE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# package.json carries "type": "module", which Node needs to load dist/**/*.js as ES modules.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/dist/ dist/
# loadAddon() (speaker/native/addon.ts) finds the addon by walking up from the bundle's file to build/Release/.
COPY --from=build /app/build/Release/*.node build/Release/
# 65532 is the conventional "nonroot" uid (distroless); numeric so runAsNonRoot can verify it.
USER 65532:65532
EXPOSE 7472
CMD ["node", "dist/controller/main.js"]
