/** A registry command refused for a reason the caller can act on (shown to the admin as a 409). */
export class RegistryConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistryConflictError";
  }
}

export class UnknownVersionError extends Error {
  constructor(version: string) {
    super(`model version ${version} not found`);
    this.name = "UnknownVersionError";
  }
}
