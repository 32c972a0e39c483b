import type { TrainExample } from '../types.js';

export class DataImportError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'DataImportError';
  }
}

interface CsvRecord { fields: string[]; line: number }

/** RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks. `delimiter` "\t" reads TSV. */
export function parseCsv(source: string, delimiter = ','): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => { fields.push(field); field = ''; fieldStarted = false; };
  const endRecord = () => {
    endField();
    if (!(fields.length === 1 && fields[0] === '')) records.push({ fields, line: recordLine });
    fields = [];
  };
  while (i < source.length) {
    const ch = source[i];
    if (quoted) {
      if (ch === '"') {
        if (source[i + 1] === '"') { field += '"'; i += 2; continue; }
        quoted = false;
        i++;
        const next = source[i];
        if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
          throw new DataImportError('unexpected character after closing quote', line);
        }
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (fieldStarted || field !== '') throw new DataImportError('quote inside an unquoted field', line);
      quoted = true; fieldStarted = true; i++; continue;
    }
    if (ch === delimiter) { endField(); i++; continue; }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && source[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += ch; fieldStarted = true; i++;
  }
  if (quoted) throw new DataImportError('unterminated quoted field', recordLine);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/**
 * `text,label` CSV with a header row (the label column may be named label, category or intent; an optional
 * previous_turn column is read too). Every row must have exactly the header's number of fields.
 */
export function importCsv(source: string): TrainExample[] {
  const records = parseCsv(source);
  if (records.length === 0) throw new DataImportError('empty CSV file');
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const textCol = header.indexOf('text');
  const labelCol = header.findIndex((h) => h === 'label' || h === 'category' || h === 'intent');
  const prevCol = header.indexOf('previous_turn');
  if (textCol < 0 || labelCol < 0) {
    throw new DataImportError(`header must name a "text" and a "label" column, got "${records[0].fields.join(',')}"`, 1);
  }
  const examples: TrainExample[] = [];
  for (const { fields, line } of records.slice(1)) {
    if (fields.length !== header.length) {
      throw new DataImportError(`expected ${header.length} fields, got ${fields.length}`, line);
    }
    const text = fields[textCol].trim();
    const label = fields[labelCol].trim();
    if (!text) throw new DataImportError('empty text', line);
    if (!label) throw new DataImportError('empty label', line);
    const previousTurn = prevCol >= 0 && fields[prevCol].trim() ? fields[prevCol].trim() : null;
    examples.push({ text, previousTurn, label, polarity: 'positive' });
  }
  if (examples.length === 0) throw new DataImportError('CSV file has a header but no rows');
  return examples;
}
