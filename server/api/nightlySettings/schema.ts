import { trainerSettingsPatch } from "../../nightly/settings.js";

// A partial update: any subset of the settings' fields, unknown keys refused by name (the schema lives beside
// the settings it patches). The merged result is validated against the full schema before anything is written.
export const nightlySettingsSchemas = {
  update: { body: trainerSettingsPatch },
};
