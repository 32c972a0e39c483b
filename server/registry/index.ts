export { modelPromoter } from "./modelPromoter.js";
export { modelRollbacker } from "./modelRollbacker.js";
export { modelPinner } from "./modelPinner.js";
export { modelRegistrar, nextVersionName } from "./modelRegistrar.js";
export { ensureLocalArtifact, uploadArtifact, localArtifactDir, ArtifactIntegrityError } from "./artifactStore.js";
export { readActivePointer, swapPointer, registryEvents, type ActivePointer } from "./activeModel.js";
export { RegistryConflictError, UnknownVersionError } from "./errors.js";
