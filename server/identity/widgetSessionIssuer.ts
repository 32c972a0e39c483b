import type { Config } from "../config.js";
import { VerifiedCustomer } from "../models/verifiedCustomer.js";
import { issueCustomerToken, verifyCustomerToken } from "../gateway/customer/customerToken.js";
import { verifiedCustomerId, verifyIdentity, type SignedIdentity } from "./identityVerifier.js";

export interface WidgetSession {
  customerId: string;
  token: string;
  // True when this is a new identity (the widget drops what it showed before).
  renewed: boolean;
  verified: boolean;
  identityError?: { code: string; message: string };
}

/**
 * widgetSessionIssuer: the widget's identity for this page view.
 * - A valid signed identity → the verified customer's id (the same on every device), recorded for actions.
 * - A tampered or expired one → a clear error and an anonymous session.
 * - No identity → today's anonymous token, kept across reloads.
 * A token that belongs to a verified customer is only kept when this page vouches for that same person, so a
 * shared computer after sign-out (or under another account) never shows someone else's conversations.
 */
export async function widgetSessionIssuer(
  config: Config,
  serverSecret: string,
  input: { token?: string; identity?: SignedIdentity },
): Promise<WidgetSession> {
  const existing = input.token ? verifyCustomerToken(serverSecret, input.token) : null;
  let identityError: WidgetSession["identityError"];
  if (input.identity) {
    const check = verifyIdentity(config.IDENTITY_SECRET, input.identity);
    if (check.ok) {
      const customerId = verifiedCustomerId(serverSecret, check.externalId);
      await VerifiedCustomer.updateOne(
        { customerId },
        { $set: { externalId: check.externalId, lastVerifiedAt: new Date() } },
        { upsert: true },
      );
      if (existing === customerId) return { customerId, token: input.token!, renewed: false, verified: true };
      return { ...issueCustomerToken(serverSecret, customerId), renewed: true, verified: true };
    }
    identityError = { code: check.code, message: check.message };
  }
  if (existing && !(await VerifiedCustomer.exists({ customerId: existing }))) {
    return { customerId: existing, token: input.token!, renewed: false, verified: false, ...(identityError ? { identityError } : {}) };
  }
  return { ...issueCustomerToken(serverSecret), renewed: true, verified: false, ...(identityError ? { identityError } : {}) };
}
