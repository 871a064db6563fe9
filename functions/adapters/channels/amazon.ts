import { MalformedBodyError } from "../../domain/errors.js";
import { lineIdFor, type ChannelOrder } from "../../domain/order.js";
import { MAX_LINE_QUANTITY, MAX_ORDER_LINES, postalCodeProblem } from "../../domain/order-schema.js";
import { amountOr0, e164, isoOf, obj, objects, str, usableSku, type Json } from "./payload.js";

/**
 * Amazon Selling Partner API, as amzn/selling-partner-api-models documents it: an `ORDER_CHANGE`
 * notification (schemas/notifications/OrderChangeNotification.json) carries no signature and no
 * order, only its id; the order is read with Orders API v0 `getOrder` and `getOrderItems`
 * (models/orders-api-model/ordersV0.json). Notifications are deduplicated on their NotificationId.
 */
export interface OrderChange {
  notificationId: string;
  sellerId: string;
  amazonOrderId: string;
  changeType: string;
  reason?: string;
  orderStatus?: string;
  /** Items whose buyer asked to cancel them. */
  buyerCancelled: string[];
}

/** An ORDER_CHANGE notification (the SQS message body), or MalformedBodyError naming what is missing. */
export function parseOrderChange(body: Json): OrderChange {
  if (str(body.NotificationType) !== "ORDER_CHANGE") throw new MalformedBodyError(`Not an ORDER_CHANGE notification (${str(body.NotificationType) ?? "no NotificationType"})`);
  const n = obj(obj(body.Payload)?.OrderChangeNotification);
  const notificationId = str(obj(body.NotificationMetadata)?.NotificationId);
  const amazonOrderId = str(n?.AmazonOrderId);
  const sellerId = str(n?.SellerId);
  if (!n || !notificationId || !amazonOrderId || !sellerId) throw new MalformedBodyError("The notification has no NotificationMetadata.NotificationId, AmazonOrderId or SellerId");
  const summary = obj(n.Summary);
  return {
    notificationId,
    sellerId,
    amazonOrderId,
    changeType: str(n.OrderChangeType) ?? "",
    ...(str(obj(n.OrderChangeTrigger)?.ChangeReason) ? { reason: str(obj(n.OrderChangeTrigger)?.ChangeReason) } : {}),
    ...(str(summary?.OrderStatus) ? { orderStatus: str(summary?.OrderStatus) } : {}),
    buyerCancelled: objects(summary?.OrderItems).filter((i) => i.IsBuyerRequestedCancel === true || i.IsBuyerRequestedCancel === "true").map((i) => str(i.OrderItemId) ?? ""),
  };
}

/** Amazon's order statuses that are orders to fulfill (seller-fulfilled and not yet shipped); Pending is not paid yet. */
export const AMAZON_CAPTURE_STATUSES = ["Unshipped", "PartiallyShipped"] as const;

/**
 * `getOrder` and `getOrderItems` payloads as our order. `ItemPrice` is the price of the whole
 * quantity (the unit price is ItemPrice ÷ QuantityOrdered), taxes are ItemTax and ShippingTax,
 * discounts PromotionDiscount and ShippingDiscount, and the sum must equal `OrderTotal`. The buyer's
 * email and address come only with a Restricted Data Token: without them the order is held with
 * the reason, like anything else that cannot be taken as it came.
 */
export function normalizeAmazonOrder(order: Json, items: Json[], channelId: string): ChannelOrder {
  const holds: string[] = [];
  const id = str(order.AmazonOrderId);
  if (!id) throw new MalformedBodyError("The order has no AmazonOrderId");
  const total = obj(order.OrderTotal);
  const currency = str(total?.CurrencyCode) ?? "";
  if (!/^[A-Z]{3}$/.test(currency)) holds.push(`the order has no currency (${currency || "none"})`);
  const code = /^[A-Z]{3}$/.test(currency) ? currency : "XXX";
  const amount = (m: unknown, what: string): number => {
    const money = obj(m);
    if (!money) return 0;
    if (str(money.CurrencyCode) !== code) {
      holds.push(`${what} is in ${str(money.CurrencyCode) ?? "no currency"}, not the order's ${code}`);
      return 0;
    }
    return amountOr0(str(money.Amount) ?? "0", code, what, holds);
  };
  if (items.length === 0) holds.push("the order has no items");
  const lines: ChannelOrder["lines"] = [];
  const lineData: Record<string, unknown> = {};
  let shipping = 0;
  let tax = 0;
  let discount = 0;
  items.slice(0, MAX_ORDER_LINES).forEach((item, i) => {
    const n = i + 1;
    const sellerSku = str(item.SellerSKU);
    const asin = str(item.ASIN);
    const sku = usableSku(sellerSku);
    if (!sku) holds.push(`unknown-sku: line ${n} (${str(item.Title) ?? "untitled"}, ASIN ${asin ?? "none"}) has ${sellerSku ? `SellerSKU "${sellerSku}", which is not a valid SKU` : "no SellerSKU"}`);
    let quantity = Number(str(item.QuantityOrdered) ?? "0");
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LINE_QUANTITY) {
      holds.push(`line ${n} has quantity ${str(item.QuantityOrdered) ?? "none"}`);
      quantity = 1;
    }
    const price = amount(item.ItemPrice, `line ${n} price`);
    if (price % quantity !== 0) holds.push(`line ${n} price ${price} is not ${quantity} equal unit prices`);
    shipping += amount(item.ShippingPrice, `line ${n} shipping`);
    tax += amount(item.ItemTax, `line ${n} tax`) + amount(item.ShippingTax, `line ${n} shipping tax`);
    discount += amount(item.PromotionDiscount, `line ${n} promotion`) + amount(item.ShippingDiscount, `line ${n} shipping discount`);
    for (const fee of ["CODFee", "GiftWrapPrice"] as const) if (amount(item[fee] ?? obj(item.BuyerInfo)?.[fee], `line ${n} ${fee}`) > 0) holds.push(`line ${n} has a ${fee}, which orders do not carry`);
    const orderItemId = str(item.OrderItemId);
    const listingKey = sellerSku ? `seller-sku:${sellerSku}` : asin ? `asin:${asin}` : undefined;
    lines.push({ sku: sku ?? `UNMAPPED-${orderItemId ?? n}`, quantity, unitPrice: { amount: Math.floor(price / quantity), currency: code }, ...(listingKey ? { listingKey } : {}), ...(orderItemId ? { channelLineId: orderItemId } : {}) });
    lineData[lineIdFor(i)] = {
      ...(orderItemId ? { orderItemId } : {}),
      ...(asin ? { asin } : {}),
      ...(sellerSku ? { sellerSku } : {}),
      ...(str(item.Title) ? { title: str(item.Title) } : {}),
      gift: str(item.IsGift) === "true" || item.IsGift === true,
      ...(str(obj(item.BuyerInfo)?.GiftMessageText) ? { giftMessage: str(obj(item.BuyerInfo)?.GiftMessageText) } : {}),
      ...(obj(item.BuyerRequestedCancel) && str(obj(item.BuyerRequestedCancel)?.IsBuyerRequestedCancel) === "true" ? { buyerRequestedCancel: str(obj(item.BuyerRequestedCancel)?.BuyerCancelReason) ?? "" } : {}),
    };
  });
  if (items.length > MAX_ORDER_LINES) holds.push(`the order has ${items.length} items, more than the ${MAX_ORDER_LINES} one order holds; only the first ${MAX_ORDER_LINES} were taken`);
  const subtotal = lines.reduce((t, l) => t + l.unitPrice.amount * l.quantity, 0);
  const theirs = amount(total, "order total");
  const ours = subtotal + shipping + tax - discount;
  if (ours !== theirs) holds.push(`totals do not add up: items ${subtotal} + shipping ${shipping} + tax ${tax} − discounts ${discount} = ${ours}, Amazon's total is ${theirs} (${code} minor units)`);

  const buyer = obj(order.BuyerInfo);
  const email = str(buyer?.BuyerEmail);
  if (!email) holds.push("the order has no buyer email (Amazon gives it with a Restricted Data Token)");
  const a = obj(order.ShippingAddress);
  const line1 = str(a?.AddressLine1);
  const country = str(a?.CountryCode)?.toUpperCase();
  const shippingAddress =
    a && line1 && country
      ? { name: str(a.Name) ?? line1, line1, ...(str(a.AddressLine2) ? { line2: str(a.AddressLine2) } : {}), city: str(a.City) ?? "", ...(str(a.StateOrRegion) ? { region: str(a.StateOrRegion) } : {}), postalCode: str(a.PostalCode) ?? "", country }
      : undefined;
  if (!shippingAddress) holds.push("the order has no shipping address (Amazon gives it with a Restricted Data Token)");
  const postal = shippingAddress ? postalCodeProblem(shippingAddress.postalCode, shippingAddress.country) : undefined;
  if (postal && shippingAddress) holds.push(`the shipping address's postal code "${shippingAddress.postalCode}" ${postal}`);
  if (str(order.FulfillmentChannel) === "AFN") holds.push("the order is fulfilled by Amazon (AFN): there is nothing for our locations to ship");
  const placedAt = isoOf(str(order.PurchaseDate));
  if (!placedAt) holds.push(`PurchaseDate "${str(order.PurchaseDate) ?? ""}" is not a date-time`);
  const phone = e164(str(a?.Phone));

  return {
    channel: channelId,
    externalOrderId: id,
    placedAt: placedAt ?? new Date(0).toISOString(),
    currency: code,
    customer: { email: email ?? "", name: str(buyer?.BuyerName) ?? shippingAddress?.name ?? email ?? "Amazon buyer", ...(phone ? { phone } : {}) },
    ...(shippingAddress ? { shippingAddress } : {}),
    lines,
    ...(shipping ? { shippingPrice: { amount: shipping, currency: code } } : {}),
    ...(tax ? { taxTotal: { amount: tax, currency: code } } : {}),
    ...(discount ? { discountTotal: { amount: discount, currency: code } } : {}),
    channelData: {
      amazon: {
        marketplaceId: str(order.MarketplaceId),
        salesChannel: str(order.SalesChannel),
        orderStatus: str(order.OrderStatus),
        fulfillmentChannel: str(order.FulfillmentChannel),
        shipServiceLevel: str(order.ShipServiceLevel),
        isBusinessOrder: order.IsBusinessOrder === true,
        isPrime: order.IsPrime === true,
        ...(str(order.LatestShipDate) ? { latestShipDate: str(order.LatestShipDate) } : {}),
        ...(str(order.LatestDeliveryDate) ? { latestDeliveryDate: str(order.LatestDeliveryDate) } : {}),
        lines: lineData,
      },
    },
    ...(holds.length ? { intakeHolds: [...new Set(holds)] } : {}),
  };
}
