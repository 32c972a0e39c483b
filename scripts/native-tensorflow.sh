#!/usr/bin/env bash
# Builds the native TensorFlow backend (@tensorflow/tfjs-node) without its install script, which downloads
# libtensorflow 2.9.1 and a prebuilt binding from storage.googleapis.com. Instead:
#   1. pip downloads PyPI's tensorflow-cpu 2.15.1 wheel (207 MB; version and sha256 pinned below). Its
#      libtensorflow_cc.so.2 exports TensorFlow's whole C and eager C API with no Python dependency. (The 2.9.1
#      wheel does not work: its C API lives in the Python extension and needs libpython at load.)
#   2. Only the two shared libraries (614 MB unpacked) and the C API's headers are kept, in $LIBTENSORFLOW_DIR
#      (default .local/libtensorflow-2.15.1-cpu, git-ignored). The wheel itself is deleted.
#   3. The package's deps/lib gets the libraries (hard links, else copies) under the names its binding links
#      against; deps/include gets the headers.
#   4. npm's own node-gyp compiles the binding (~5 s on 2 cores) against the headers that ship with Node
#      (<node prefix>/include/node), so nothing else is downloaded.
#   5. The binding is loaded, on the main thread and in a worker thread.
# Idempotent: a second run only checks. TFJS_NATIVE=off skips all of it (the wasm backend is then used);
# TFJS_NATIVE=gpu builds @tensorflow/tfjs-node-gpu the same way from the CUDA build of the wheel (see below).
# Called by scripts/setup.sh and the Dockerfile; on its own: bash scripts/native-tensorflow.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TF_VERSION=2.15.1
NAPI_BUILD_VERSION=8
VARIANT=${TFJS_NATIVE:-cpu}
case "$VARIANT" in
  on|cpu)
    VARIANT=cpu
    WHEEL_SPEC="tensorflow-cpu==$TF_VERSION"
    # tensorflow_cpu-2.15.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl on PyPI
    WHEEL_SHA256=54660c074d7241a503e81edfd9f5ef5af88f64051b72e2945f26318c790f2d26
    WHEEL_SIZE="207 MB"
    PACKAGE=@tensorflow/tfjs-node ;;
  gpu)
    # The CUDA 12.2 / cuDNN 8.9 build, same layout; its CUDA libraries come from the nvidia-*-cu12 wheels of its
    # `and-cuda` extra (versions pinned by the wheel's metadata), kept in nvidia/ next to the libraries, where
    # libtensorflow's own runpath ($ORIGIN/../nvidia/<name>/lib) finds them. Needs the host's NVIDIA driver.
    WHEEL_SPEC="tensorflow==$TF_VERSION"
    # tensorflow-2.15.1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl on PyPI
    WHEEL_SHA256=bb0edd69103c154245c5f209f0507355cc68ba7e4de350084bc31edc562478e4
    WHEEL_SIZE="475 MB"
    PACKAGE=@tensorflow/tfjs-node-gpu ;;
  off)
    echo "TFJS_NATIVE=off: not built; TensorFlow.js uses the wasm backend"
    exit 0 ;;
  *)
    echo "TFJS_NATIVE must be cpu (default), gpu or off, got '$VARIANT'" >&2
    exit 1 ;;
esac
LIBTENSORFLOW_DIR=${LIBTENSORFLOW_DIR:-$ROOT/.local/libtensorflow-$TF_VERSION-$VARIANT}
PKG_DIR=$ROOT/node_modules/$PACKAGE

fail() { printf 'native TensorFlow: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is required to build $PACKAGE's binding ($2). Install it (Debian: apt-get install g++ make python3 python3-pip), or set TFJS_NATIVE=off to use the wasm backend only."; }

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "no $WHEEL_SPEC build for $(uname -s)-$(uname -m) in this recipe: TensorFlow.js uses the wasm backend"
  exit 0
fi
if [ "$VARIANT" = gpu ] && [ ! -f "$PKG_DIR/binding.gyp" ]; then
  # not in the lock (a GPU host's choice): the package itself, without its download script
  npm install --no-save --ignore-scripts --no-audit --no-fund "$PACKAGE@4.22.0"
fi
[ -f "$PKG_DIR/binding.gyp" ] || fail "$PKG_DIR is missing: run bash scripts/npm-ci.sh first (scripts/setup.sh does)"

# ---- 1+2: the libraries and headers, once
if [ "$(cat "$LIBTENSORFLOW_DIR/.wheel-sha256" 2>/dev/null || true)" = "$WHEEL_SHA256" ]; then
  echo "libtensorflow $TF_VERSION present: $LIBTENSORFLOW_DIR"
else
  need python3 "to fetch the wheel with pip"
  python3 -m pip --version >/dev/null 2>&1 || fail "python3's pip is required to fetch $WHEEL_SPEC (Debian: apt-get install python3-pip)"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  echo "$WHEEL_SPEC --hash=sha256:$WHEEL_SHA256" > "$tmp/requirements.txt"
  echo "fetching $WHEEL_SPEC from PyPI ($WHEEL_SIZE, sha256 pinned) for its libtensorflow"
  # The wheel's Python tag only decides which file is picked: nothing of its Python part is used.
  python3 -m pip download --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux2014_x86_64 \
    --disable-pip-version-check --progress-bar off -q --require-hashes -r "$tmp/requirements.txt" -d "$tmp/wheel"
  wheel=$(ls "$tmp"/wheel/*.whl)
  have=$(sha256sum "$wheel" | cut -d' ' -f1)
  [ "$have" = "$WHEEL_SHA256" ] || fail "$wheel has sha256 $have, expected $WHEEL_SHA256"
  rm -rf "$LIBTENSORFLOW_DIR.partial" && mkdir -p "$LIBTENSORFLOW_DIR.partial"
  python3 - "$wheel" "$LIBTENSORFLOW_DIR.partial" "$PKG_DIR/binding" <<'PY'
import glob, os, re, shutil, sys, zipfile
wheel, out, binding = sys.argv[1:]
libs = ["tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"]
prefix = "tensorflow/include/"
with zipfile.ZipFile(wheel) as z:
    names = set(z.namelist())
    def extract(name, dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(name) as src, open(dest, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    for lib in libs:
        extract(lib, os.path.join(out, "lib", os.path.basename(lib)))
    # Only the headers the binding compiles against (its includes, followed transitively): 0.6 of the wheel's 155 MB.
    include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
    todo = []
    for src in glob.glob(os.path.join(binding, "*.cc")) + glob.glob(os.path.join(binding, "*.h")):
        todo += include.findall(open(src, encoding="utf-8").read())
    seen = set()
    while todo:
        h = todo.pop()
        if h in seen or prefix + h not in names:
            continue
        seen.add(h)
        text = z.read(prefix + h).decode("utf-8")
        todo += include.findall(text)
        extract(prefix + h, os.path.join(out, "include", h))
    if "tensorflow/c/c_api.h" not in seen:
        sys.exit("the wheel has no tensorflow/include/tensorflow/c/c_api.h")
    print(f"unpacked {len(libs)} libraries and {len(seen)} headers")
    # the CUDA wheels this build was made for (empty for tensorflow-cpu)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    cuda = re.findall(r"^Requires-Dist: (nvidia-[\w-]+) \(==([\w.]+)\) ; extra == 'and-cuda'$", z.read(meta).decode("utf-8"), re.M)
    with open(os.path.join(out, "cuda-requirements.txt"), "w") as f:
        f.writelines(f"{name}=={version}\n" for name, version in cuda)
PY
  if [ "$VARIANT" = gpu ]; then
    echo "fetching the CUDA 12 libraries from PyPI: $(tr '\n' ' ' < "$LIBTENSORFLOW_DIR.partial/cuda-requirements.txt")(several GB)"
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.11 --platform manylinux2014_x86_64 \
      --disable-pip-version-check --progress-bar off -q -r "$LIBTENSORFLOW_DIR.partial/cuda-requirements.txt" -d "$tmp/cuda"
    python3 - "$tmp/cuda" "$LIBTENSORFLOW_DIR.partial" <<'PY'
import glob, os, shutil, sys, zipfile
wheels, out = sys.argv[1:]
for wheel in sorted(glob.glob(os.path.join(wheels, "*.whl"))):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            # nvidia/<name>/lib/*.so* (and nvcc's bin/ptxas); not the headers
            if name.startswith("nvidia/") and "/include/" not in name and not name.endswith(("/", ".py", ".h")):
                dest = os.path.join(out, name)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with z.open(name) as src, open(dest, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                os.chmod(dest, 0o755)
    print("unpacked", os.path.basename(wheel))
PY
  fi
  echo "$WHEEL_SHA256" > "$LIBTENSORFLOW_DIR.partial/.wheel-sha256"
  rm -rf "$LIBTENSORFLOW_DIR" && mv "$LIBTENSORFLOW_DIR.partial" "$LIBTENSORFLOW_DIR"
  echo "libtensorflow $TF_VERSION in $LIBTENSORFLOW_DIR"
fi

# ---- 3: deps/lib and deps/include inside the package (npm ci empties them; relinking costs nothing)
lib=$PKG_DIR/deps/lib
mkdir -p "$lib"
for so in libtensorflow_cc.so.2 libtensorflow_framework.so.2; do
  if ! [ "$lib/$so" -ef "$LIBTENSORFLOW_DIR/lib/$so" ]; then
    ln -f "$LIBTENSORFLOW_DIR/lib/$so" "$lib/$so" 2>/dev/null || cp -f "$LIBTENSORFLOW_DIR/lib/$so" "$lib/$so"
  fi
done
# -ltensorflow finds libtensorflow.so; the binding then records the libraries' sonames (libtensorflow_cc.so.2,
# libtensorflow_framework.so.2) and finds them through its rpath $ORIGIN/../../deps/lib. libtensorflow.so.2.9.1
# is the name the package's own install script checks for.
ln -sfn libtensorflow_cc.so.2 "$lib/libtensorflow.so"
ln -sfn libtensorflow_cc.so.2 "$lib/libtensorflow.so.2.9.1"
ln -sfn libtensorflow_framework.so.2 "$lib/libtensorflow_framework.so"
rm -rf "$PKG_DIR/deps/include" && cp -r "$LIBTENSORFLOW_DIR/include" "$PKG_DIR/deps/include"
if [ -d "$LIBTENSORFLOW_DIR/nvidia" ] && [ ! -d "$PKG_DIR/deps/nvidia" ]; then
  cp -al "$LIBTENSORFLOW_DIR/nvidia" "$PKG_DIR/deps/nvidia" 2>/dev/null || cp -a "$LIBTENSORFLOW_DIR/nvidia" "$PKG_DIR/deps/nvidia"
fi

# ---- 4: the binding, unless it is already built against these libraries
binding=$PKG_DIR/lib/napi-v$NAPI_BUILD_VERSION/tfjs_binding.node
stamp=$PKG_DIR/lib/napi-v$NAPI_BUILD_VERSION/.built-against
if [ -f "$binding" ] && [ "$(cat "$stamp" 2>/dev/null || true)" = "$WHEEL_SHA256" ]; then
  echo "binding present: ${binding#"$ROOT"/}"
else
  need g++ "the binding is C++"
  need make "node-gyp drives the build with make"
  need python3 "node-gyp's gyp is Python"
  # Node's headers ship with Node itself (Debian's nodejs package and the official builds: <prefix>/include/node).
  node_prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
  [ -f "$node_prefix/include/node/node_api.h" ] || fail "no Node headers at $node_prefix/include/node (node_api.h): install the package that ships them (Debian: nodejs or libnode-dev)"
  gyp=$(npm root -g)/npm/node_modules/node-gyp/bin/node-gyp.js
  [ -f "$gyp" ] || gyp=$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js
  [ -f "$gyp" ] || fail "npm's bundled node-gyp was not found (looked in $(npm root -g)/npm/node_modules/node-gyp)"
  echo "building ${binding#"$ROOT"/} with npm's node-gyp (Node headers from $node_prefix/include/node)"
  # module_name/module_path are what node-pre-gyp would pass; without them gyp stops at "Undefined variable".
  (cd "$PKG_DIR" && node "$gyp" rebuild --nodedir="$node_prefix" -j "$(nproc)" --loglevel=warn \
    --napi_build_version=$NAPI_BUILD_VERSION --module_name=tfjs_binding --module_path="$PKG_DIR/lib/napi-v$NAPI_BUILD_VERSION") \
    || fail "node-gyp could not build the binding (output above)"
  rm -rf "$PKG_DIR/build/Release/obj.target"
  echo "$WHEEL_SHA256" > "$stamp"
fi

# ---- 5: it loads, also where the server runs models (a worker thread)
PACKAGE=$PACKAGE TF_VERSION=$TF_VERSION TF_CPP_MIN_LOG_LEVEL=2 node - <<'JS' || fail "the binding was built but does not load (see above); delete $PKG_DIR/lib and run again, or set TFJS_BACKEND=wasm"
const { Worker } = require('node:worker_threads');
const probe = `
  const tf = require('${process.env.PACKAGE}');
  const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync();
  if (tf.getBackend() !== 'tensorflow' || y[0] !== 17 || y[1] !== 39) throw new Error('wrong backend or result: ' + tf.getBackend() + ' ' + y);
`;
new Function('require', probe)(require);
const w = new Worker(probe, { eval: true });
w.on('error', (e) => { console.error('in a worker thread: ' + e.message); process.exit(1); });
w.on('exit', (code) => {
  if (code !== 0) process.exit(1);
  console.log(`loads: ${process.env.PACKAGE}, backend 'tensorflow' (libtensorflow ${process.env.TF_VERSION}), main thread and worker thread`);
});
JS
