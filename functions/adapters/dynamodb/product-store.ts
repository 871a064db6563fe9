import { isDeepStrictEqual } from "node:util";
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import { listingKeys, type Product, type ProductInput } from "../../domain/product.js";
import { batchGetAll } from "./client.js";
import { indexPage } from "./cursor.js";
import { stripKeys } from "./inventory-items.js";
import { ITEM_TYPES, keys } from "./keys.js";

const contentOf = ({ version: _v, updatedAt: _u, ...content }: Product) => JSON.parse(JSON.stringify(content)) as unknown;
const toProduct = (item: Record<string, unknown>): Product => {
  const { GSI3PK: _a, GSI3SK: _b, ...rest } = stripKeys(item) as Partial<Product> & Record<string, unknown>;
  // SKUs written before the catalog had these fields (the seed, say): returnable, no listings.
  return { ...(rest as unknown as Product), returnable: rest.returnable ?? true, listings: rest.listings ?? [], version: Number(item.version ?? 1), updatedAt: typeof item.updatedAt === "string" ? item.updatedAt : "" };
};
/** Every (channel, key) a product's listings claim. */
const claimsOf = (p: Pick<Product, "listings">) => p.listings.flatMap((l) => listingKeys(l).map((k) => ({ channelId: l.channelId, key: k })));

/** The product catalog: products with their channel listings, and the listing → SKU lookups orders are mapped by. */
export class DynamoProductStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(sku: string): Promise<Product | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.sku(sku), ConsistentRead: true }));
    return out.Item ? toProduct(out.Item) : undefined;
  }

  /** Products by SKU, a page at a time (`active` filters: sellable or not). */
  async list(query: { active?: boolean; limit: number; cursor?: string }): Promise<{ items: Product[]; cursor?: string }> {
    const target = keys.products(query.active);
    const page = await indexPage(this.db, this.tableName, target, query.limit, query.cursor);
    // The indexes project keys only for products: the sort key is the SKU.
    const skus = page.items.map((i) => String(i[target.pk.replace(/PK$/, "SK")]));
    const found = new Map((await batchGetAll(this.db, this.tableName, skus.map(keys.sku), { consistent: false })).map((i) => [String(i.sku), toProduct(i)]));
    const items = skus.flatMap((s) => (found.has(s) ? [found.get(s) as Product] : []));
    return page.cursor ? { items, cursor: page.cursor } : { items };
  }

  /** The SKU a channel's listing key (`variant:123`, `variation:45`, `product:9`, `seller-sku:X`, `asin:B0…`) maps to. */
  async skuForListing(channelId: string, listingKey: string): Promise<string | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.listing(channelId, listingKey) }));
    return out.Item?.sku as string | undefined;
  }

  /**
   * Stores a product and its listings in one transaction: each listing key is claimed for this
   * SKU (a key another SKU holds is a conflict naming it) and keys it no longer lists are given up.
   */
  async put(sku: string, input: ProductInput, at: string): Promise<{ product: Product; created: boolean; unchanged: boolean }> {
    return withOptimisticRetry(`Product ${sku}`, async () => {
      const current = await this.get(sku);
      // The same content again (an import run twice): nothing is written.
      if (current && isDeepStrictEqual(contentOf(current), contentOf({ sku, ...input, version: 0, updatedAt: "" }))) return { product: current, created: false, unchanged: true };
      const claims = claimsOf(input);
      const held = await batchGetAll(this.db, this.tableName, claims.map((c) => keys.listing(c.channelId, c.key)), { consistent: true });
      const taken = held.find((i) => i.sku !== sku);
      if (taken) throw new ConflictError(`Listing ${String(taken.listingKey)} of channel ${String(taken.channelId)} belongs to SKU ${String(taken.sku)}`, { field: "listings", sku: taken.sku });
      const version = (current?.version ?? 0) + 1;
      const product: Product = { sku, ...input, version, updatedAt: at };
      const kept = new Set(claims.map((c) => `${c.channelId}#${c.key}`));
      const released = current ? claimsOf(current).filter((c) => !kept.has(`${c.channelId}#${c.key}`)) : [];
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...keys.sku(sku), ...keys.productIndex(sku, input.active), type: ITEM_TYPES.sku, ...product },
                  ConditionExpression: current ? "version = :v" : "attribute_not_exists(PK)",
                  ...(current ? { ExpressionAttributeValues: { ":v": current.version } } : {}),
                },
              },
              ...claims.map((c) => ({ Put: { TableName: this.tableName, Item: { ...keys.listing(c.channelId, c.key), type: ITEM_TYPES.listing, channelId: c.channelId, listingKey: c.key, sku }, ConditionExpression: "attribute_not_exists(PK) OR sku = :sku", ExpressionAttributeValues: { ":sku": sku } } })),
              ...released.map((c) => ({ Delete: { TableName: this.tableName, Key: keys.listing(c.channelId, c.key), ConditionExpression: "sku = :sku", ExpressionAttributeValues: { ":sku": sku } } })),
            ],
          }),
        );
      } catch (error) {
        if ((error as Error).name === "TransactionCanceledException") return AGAIN;
        throw error;
      }
      return { product, created: !current, unchanged: false };
    });
  }
}
