import { renderLabel } from "../../adapters/carriers/label-pdf.js";
import { ConflictError, NotFoundError, ValidationError } from "../../domain/errors.js";
import { orderIdOfShipment } from "../../domain/shipment.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();

/** GET /shipments/{shipmentId}/label: the 4×6 shipping label as a PDF, once the carrier has the shipment. */
export const handler = httpHandler(async (event) => {
  const shipmentId = event.pathParameters?.shipmentId ?? "";
  const orderId = orderIdOfShipment(shipmentId);
  if (!orderId) throw new ValidationError("Invalid shipment id", [{ path: "shipmentId", message: "must be <orderId>-S<n>" }]);
  const [order, shipment] = await Promise.all([shipDeps.orders.get(orderId), shipDeps.shipments.get(orderId, shipmentId)]);
  if (!order || !shipment) throw new NotFoundError(`Shipment ${shipmentId} does not exist`);
  if (!shipment.carrierShipment || !shipment.handover || !order.shippingAddress) throw new ConflictError(`Shipment ${shipmentId} has no label yet: it is ${shipment.status}`, { status: shipment.status });
  const location = await shipDeps.locations.getLocation(shipment.locationId);
  const pdf = await renderLabel({ shipment: { ...shipment, carrierShipment: shipment.carrierShipment, handover: shipment.handover }, from: { name: location?.name ?? shipment.locationId, country: location?.country ?? "" }, to: order.shippingAddress });
  return {
    statusCode: 200,
    headers: { "content-type": "application/pdf", "content-disposition": `inline; filename="label-${shipmentId}.pdf"`, "cache-control": "private, max-age=300" },
    body: Buffer.from(pdf).toString("base64"),
    isBase64Encoded: true,
  };
});
