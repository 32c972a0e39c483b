import { AppError } from "../errors.js";

/** A registry command refused for a reason the caller can act on (shown to the admin as a 409). */
export class RegistryConflictError extends AppError {
  constructor(message: string) {
    super(409, "conflict", message);
    this.name = "RegistryConflictError";
  }
}

export class UnknownVersionError extends AppError {
  constructor(readonly version: string) {
    super(404, "not_found", "Model version not found");
    this.name = "UnknownVersionError";
  }
}
