import { VerifiedCustomer } from "../models/verifiedCustomer.js";

export interface CustomerIdentity {
  // The embedding site's own id for the customer: only set when the site signed it.
  id: string | null;
  verified: boolean;
}

/** Who a widget customer is, as far as actions may trust it. */
export async function customerIdentity(customerId: string): Promise<CustomerIdentity> {
  const v = await VerifiedCustomer.findOne({ customerId }, { externalId: 1 }).lean();
  return v ? { id: v.externalId, verified: true } : { id: null, verified: false };
}
