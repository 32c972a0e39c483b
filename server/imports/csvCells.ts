// Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR). Exports prefix them with a quote;
// imports take that quote off again, so an exported file imports back to the same text.
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

export function restoreNeutralisedFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

export function csvCell(value: string, delimiter = ","): string {
  const v = neutraliseFormula(value);
  return /["\r\n]/.test(v) || v.includes(delimiter) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** "yes", "true", "1", "x" (any case) are true; empty is false. */
export function truthyCell(cell: string | undefined): boolean {
  return /^(true|yes|y|1|x)$/i.test((cell ?? "").trim());
}
