import { renderLabel } from "../../adapters/carriers/label-pdf.js";
import { returnOf } from "../../app/returns.js";
import { ConflictError, ValidationError } from "../../domain/errors.js";
import { httpHandler } from "../../shared/middy.js";
import { RETURN_ID_PATTERN } from "./return-view.js";
import * as root from "../composition-root.js";

const deps = root.returnDeps();
const catalog = root.catalog();

/** GET /returns/{returnId}/label: the prepaid return label as a 4×6 PDF, from the customer to the receiving location. */
export const handler = httpHandler(async (event) => {
  const returnId = event.pathParameters?.returnId ?? "";
  if (!RETURN_ID_PATTERN.test(returnId)) throw new ValidationError("Invalid return id", [{ path: "returnId", message: "must be <orderId>-R<n>" }]);
  const r = await returnOf(deps.returns, returnId);
  if (!r.label || !r.locationId) throw new ConflictError(`Return ${returnId} has no label: it is ${r.method === "ship-back" ? r.status : `a ${r.method} return`}`, { status: r.status });
  if (r.label.voidedAt) throw new ConflictError(`The label of return ${returnId} was voided at ${r.label.voidedAt}`, { status: r.status });
  const [order, location, skus] = await Promise.all([deps.orders.get(r.orderId), catalog.getLocation(r.locationId), catalog.getSkus(r.lines.map((l) => l.sku))]);
  const grams = r.lines.reduce((n, l) => n + l.quantity * (skus.find((s) => s.sku === l.sku)?.unitWeightGrams ?? 0), 0);
  const pdf = await renderLabel({
    shipment: { shipmentId: returnId, orderId: r.orderId, lines: r.lines, carrierShipment: { carrier: r.label.carrier, service: r.label.service, trackingNumber: r.label.trackingNumber, labelCreatedAt: r.label.createdAt, promisedBy: r.label.createdAt }, handover: { carrier: r.label.carrier, weightGrams: grams, at: r.label.createdAt } },
    from: { name: order?.shippingAddress?.name ?? r.customer.name, country: order?.shippingAddress?.country ?? "" },
    to: { name: location?.name ?? r.locationId, line1: `Returns, ${location?.name ?? r.locationId}`, city: location?.locationId ?? r.locationId, postalCode: "-", country: location?.country ?? "" },
  });
  return {
    statusCode: 200,
    headers: { "content-type": "application/pdf", "content-disposition": `inline; filename="return-label-${returnId}.pdf"`, "cache-control": "private, max-age=300" },
    body: Buffer.from(pdf).toString("base64"),
    isBase64Encoded: true,
  };
});
