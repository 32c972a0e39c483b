// Importing this registers every model, so syncIndexes at connect covers all collections.
export * from "./conversation.js";
export * from "./message.js";
export * from "./user.js";
export * from "./answer.js";
export * from "./example.js";
export * from "./auditEntry.js";
export * from "./modelVersion.js";
export * from "./trainingRun.js";
export * from "./lease.js";
export * from "./snapshot.js";
export * from "./setting.js";
export * from "./dataImport.js";
export * from "./action.js";
export * from "./actionCall.js";
export * from "./slotRequest.js";
export * from "./verifiedCustomer.js";
export * from "./loginThrottle.js";
