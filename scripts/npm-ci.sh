#!/usr/bin/env bash
# `npm ci` without @tensorflow/tfjs-node's install script, which would download libtensorflow and a prebuilt
# binding from storage.googleapis.com (scripts/native-tensorflow.sh builds both from PyPI's TensorFlow instead).
# Installs without scripts, then runs the install scripts of every other package that has one (from the lock).
# package.json also denies that one script through npm's allowScripts, and the package is optional, so a plain
# `npm ci` works as well: npm 11 skips the script; older npm runs it, it fails offline and npm drops the package
# (TensorFlow.js then runs on wasm until this set-up is run). Extra arguments go to npm ci (e.g. --omit=dev).
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --ignore-scripts --no-audit --no-fund "$@"
mapfile -t scripted < <(node -e '
  const fs = require("node:fs");
  const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8"));
  for (const [path, entry] of Object.entries(lock.packages ?? {}))
    if (path && entry.hasInstallScript && fs.existsSync(path) && !/\/@tensorflow\/tfjs-node(-gpu)?$/.test(path))
      console.log(path.replace(/^.*node_modules\//, ""));
')
if [ ${#scripted[@]} -gt 0 ]; then npm rebuild --no-audit --no-fund "${scripted[@]}"; fi
