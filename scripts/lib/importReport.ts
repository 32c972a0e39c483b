import type { DryRunResult } from "../../server/imports/importCommands.js";

/** The dry-run report as the CLI prints it. */
export function printImportReport({ file, report: r }: DryRunResult): void {
  const out = (s = "") => console.log(s);
  out(`${file.name ?? "file"} (${file.kind}, ${file.format}), ${file.bytes.toLocaleString("en")} bytes, sha256 ${file.sha256}`);
  out(`rows read            ${r.rowsRead}`);
  out(
    `answers              ${r.answers.created} new, ${r.answers.mergedIntoExisting} merged into existing answers, ${r.answers.rowsMergedInFile} rows merged within the file`,
  );
  out(
    `phrasings            ${r.examples.created} new of ${r.examples.inFile}: ${r.examples.duplicates} duplicates, ${r.examples.alreadyPresent} already present, ${r.examples.nearDuplicates} near-duplicates`,
  );
  if (r.examples.golden || r.examples.outOfScope || r.examples.negatives)
    out(`marked               ${r.examples.golden} golden, ${r.examples.outOfScope} out of scope, ${r.examples.negatives} negative`);
  out(
    `personal data        ${r.personalData.found} found${
      Object.keys(r.personalData.byKind).length
        ? ` (${Object.entries(r.personalData.byKind)
            .map(([k, n]) => `${k} ${n}`)
            .join(", ")})`
        : ""
    }, redacted to typed tokens`,
  );
  for (const s of r.personalData.samples.slice(0, 5)) out(`  line ${s.line}: "${s.before}" → "${s.after}"`);
  out(`conflicts            ${r.conflicts.length}`);
  for (const c of r.conflicts.slice(0, 5))
    out(`  "${c.question}" (lines ${c.lines.join(", ")}) → ${c.answers.map((a) => `"${a.title}"`).join(" / ")}`);
  out(
    `balance              ${r.balance.answers} answers, phrasings per answer ${r.balance.smallest}–${r.balance.largest} (median ${r.balance.median}), ${r.balance.belowMinimum} below ${r.balance.minPerAnswer}`,
  );
  for (const a of r.perAnswer.filter((p) => p.variants && p.variants.length > 1).slice(0, 10)) {
    out(
      `  collapsed into "${a.title}": ${a.variants!.map((v) => `${v.count}× (${v.similarity.toFixed(2)}) "${v.text.slice(0, 50)}"`).join("; ")}`,
    );
  }
  if (r.previousImports.length) out(`this file before     ${r.previousImports.map((p) => `${p.state} ${p.at}`).join("; ")}`);
  for (const w of r.warnings) out(`warning: ${w}`);
}
