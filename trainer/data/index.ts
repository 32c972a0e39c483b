import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { TrainExample } from '../types.js';
import { DataImportError, importCsv } from './csvImport.js';
import { importJsonl } from './jsonlImport.js';

export { DataImportError, importCsv, parseCsv } from './csvImport.js';
export { importJsonl } from './jsonlImport.js';

/** Reads a .jsonl (OpenAI chat format) or .csv (text,label) file into training examples. */
export async function importDataFile(path: string): Promise<TrainExample[]> {
  const ext = extname(path).toLowerCase();
  if (ext !== '.jsonl' && ext !== '.csv') throw new DataImportError(`${path}: unsupported extension "${ext}" (use .jsonl or .csv)`);
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (err) {
    throw new DataImportError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return ext === '.csv' ? importCsv(source) : importJsonl(source);
  } catch (err) {
    if (err instanceof DataImportError) throw new DataImportError(`${path}: ${err.message}`);
    throw err;
  }
}
