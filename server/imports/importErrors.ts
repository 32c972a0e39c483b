import { AppError } from "../errors.js";

export interface RowProblem {
  line: number;
  message: string;
}

/**
 * A file that cannot be imported as a whole: every bad row with its line number (the first 50), so the
 * admin fixes the file once instead of one error per attempt. Nothing has been written when this is thrown.
 */
export class ImportFileError extends AppError {
  constructor(
    message: string,
    readonly problems: RowProblem[] = [],
  ) {
    super(
      400,
      "invalid_import",
      problems.length
        ? `${message}: ${problems
            .slice(0, 3)
            .map((p) => `line ${p.line}: ${p.message}`)
            .join("; ")}`
        : message,
      {
        problems: problems.slice(0, 50),
        problemCount: problems.length,
      },
    );
  }
}

export const tooLarge = (message: string) => new AppError(413, "import_too_large", message);
