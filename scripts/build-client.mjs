#!/usr/bin/env node
// Bundles the browser code into client/dist/ (served by the server at /):
//   widget.js            the embeddable widget (one <script> tag), checked against a 30 KB gzip budget
//   console/main.js      the agent console, when client/console/main.tsx exists
//   index.html           the demo page (client/demo/*.html)
// Usage: node scripts/build-client.mjs [--if-stale] [--watch]
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import * as esbuild from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const dist = path.join(root, "client/dist");
const WIDGET_BUDGET_GZIP = 30 * 1024;
const args = new Set(process.argv.slice(2));

// --if-stale (used by `npm start`): skip when the bundles exist and no client source is newer than them.
const newest = (dir) =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
        if (e.name === "dist") return max;
        const p = path.join(dir, e.name);
        return Math.max(max, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
      }, 0)
    : 0;
const built = (f) => fs.statSync(path.join(dist, f), { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (args.has("--if-stale") && Math.min(built("widget.js"), built("index.html")) > newest(path.join(root, "client"))) {
  process.exit(0);
}

const common = {
  bundle: true,
  minify: !args.has("--watch"),
  sourcemap: true,
  target: ["es2020"],
  platform: "browser",
  legalComments: "none",
  logLevel: "warning",
  define: { "process.env.NODE_ENV": '"production"' },
};

const builds = [
  { ...common, entryPoints: [path.join(root, "client/widget/main.ts")], outfile: path.join(dist, "widget.js"), format: "iife" },
];
const consoleEntry = path.join(root, "client/console/main.tsx");
if (fs.existsSync(consoleEntry)) {
  builds.push({
    ...common,
    entryPoints: [consoleEntry],
    outdir: path.join(dist, "console"),
    entryNames: "main",
    format: "esm",
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".svg": "text" },
  });
}

fs.mkdirSync(dist, { recursive: true });
// Demo pages: index.html (English) and zh-CN.html, and their shared demo.css.
for (const f of fs.readdirSync(path.join(root, "client/demo"))) {
  if (f.endsWith(".html") || f.endsWith(".css")) fs.copyFileSync(path.join(root, "client/demo", f), path.join(dist, f));
}
// The console ships its own page when it has one.
const consoleHtml = path.join(root, "client/console/index.html");
if (fs.existsSync(consoleHtml)) {
  fs.mkdirSync(path.join(dist, "console"), { recursive: true });
  fs.copyFileSync(consoleHtml, path.join(dist, "console/index.html"));
}

if (args.has("--watch")) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log("watching client/ for changes");
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  const widget = fs.readFileSync(path.join(dist, "widget.js"));
  const gz = zlib.gzipSync(widget, { level: 9 }).length;
  console.log(
    `client/dist/widget.js ${(widget.length / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget ${WIDGET_BUDGET_GZIP / 1024} KB)`,
  );
  if (builds.length > 1) console.log("client/dist/console/main.js built");
  if (gz > WIDGET_BUDGET_GZIP) {
    console.error(`widget.js is over its size budget: ${gz} > ${WIDGET_BUDGET_GZIP} bytes gzipped`);
    process.exit(1);
  }
}
