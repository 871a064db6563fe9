import { settlementOf, acceptedUnits } from "../../domain/return.js";
import type { StoredReturn } from "../../app/ports.js";

/** `<orderId>-R<n>`. */
export const RETURN_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}-R\d{1,3}$/;

/** A return as the API shows it: task tokens and request hashes stay inside; the money so far and the label's link are added. */
export function returnView(r: StoredReturn): Record<string, unknown> {
  const { tokens: _t, requestHash: _h, eventKeys: _k, facts, ...rest } = r;
  const { refund, credit } = settlementOf(r);
  return {
    ...rest,
    lines: r.lines.map((l) => ({ ...l, accepted: acceptedUnits(l) })),
    ...(r.label ? { label: { ...r.label, url: `/returns/${r.returnId}/label` } } : {}),
    refund: r.settlement ?? { status: "PENDING", estimate: refund },
    ...(credit.total > 0 ? { storeCredit: credit } : {}),
    events: facts,
  };
}
