import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { startLocalCloud } from "./cloud.js";
import { startDemoChannels } from "./fakes/demo.js";
import { ensureJava } from "./java.js";
import { ROOT, synth } from "./synth.js";

const HELP = `npm start [-- options]: run the OMS on the local cloud

  --fresh          wipe .oms/ (DynamoDB data, executions, secrets, logs) first
  --api-port N     HTTP API port (default 3000, or OMS_API_PORT)
  --aws-port N     AWS-compatible endpoint port (default 4566, or OMS_AWS_PORT)
  --no-synth       run the existing cdk.out instead of synthesizing
  --verbose        echo function logs to the console (they are always in .oms/logs/)
  --help           this text`;

const { values } = parseArgs({
  options: {
    fresh: { type: "boolean", default: false },
    "api-port": { type: "string" },
    "aws-port": { type: "string" },
    "no-synth": { type: "boolean", default: false },
    verbose: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const dataDir = path.join(ROOT, ".oms");
try {
  ensureJava();
  if (!values["no-synth"]) {
    process.stdout.write("Synthesizing the CDK app (cdk synth)... ");
    synth();
    console.log("done");
  }
  const cloud = await startLocalCloud({
    assemblyDir: path.join(ROOT, "cdk.out"),
    dataDir,
    apiPort: Number(values["api-port"] ?? process.env.OMS_API_PORT ?? 3000),
    awsPort: Number(values["aws-port"] ?? process.env.OMS_AWS_PORT ?? 4566),
    fresh: values.fresh,
    seed: true,
    echoLogs: values.verbose,
  });
  process.stdout.write("Starting the demo channels' fakes (Shopify, WooCommerce, SP-API)... ");
  const demoChannels = await startDemoChannels(cloud);
  console.log("done");
  // A demo supplier of the demo SKUs at the Berlin warehouse, through the API itself, so the nightly plan has something to order.
  const supplier = await fetch(`${cloud.apiUrl}/suppliers/DEMO-SUPPLY`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${cloud.operatorToken}` },
    body: JSON.stringify({
      name: "Demo Supply GmbH",
      contact: { email: "purchasing@demo-supply.example" },
      currency: "EUR",
      leadTime: { meanDays: 5, sdDays: 1 },
      autoApproveBelow: 50_000,
      skus: ["TSHIRT-BLK-M", "TSHIRT-BLK-L", "HOODIE-GRY-M", "MUG-LOGO"].map((sku, i) => ({ sku, supplierSku: `DS-${i + 1}`, price: [650, 650, 1400, 380][i], moq: 24, pack: 12, locations: ["WH-BER"] })),
    }),
  });
  if (!supplier.ok) throw new Error(`Could not register the demo supplier: ${supplier.status} ${await supplier.text()}`);
  const info = {
    apiUrl: cloud.apiUrl,
    awsEndpoint: cloud.awsEndpoint,
    channelSecrets: cloud.channelSecrets,
    channels: demoChannels.describe(),
    operatorToken: cloud.operatorToken,
    tableName: cloud.tableName,
    stateMachines: cloud.stateMachineArns,
  };
  writeFileSync(path.join(dataDir, "local.json"), JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
  const secret = cloud.channelSecrets.generic ?? "";
  console.log(`
OMS local cloud is running (data in .oms/, details in .oms/local.json)
  HTTP API        ${cloud.apiUrl}
  AWS endpoint    ${cloud.awsEndpoint}   (aws --endpoint-url ${cloud.awsEndpoint} stepfunctions list-executions ...)
  operator token  ${cloud.operatorToken}
  generic secret  ${secret}
  carrier secret  ${cloud.carrierSecrets.default ?? ""}   (signs POST /carriers/<carrier>/tracking)
${cloud.notEmulated.map((n) => `  not emulated:   ${n}`).join("\n")}

Post a signed demo order (bash):
  BODY='{"externalOrderId":"demo-'$RANDOM'","placedAt":"2026-01-01T10:00:00Z","currency":"EUR","customer":{"email":"ada@example.com","name":"Ada Lovelace"},"shippingAddress":{"name":"Ada Lovelace","line1":"Unter den Linden 1","city":"Berlin","postalCode":"10117","country":"DE"},"lines":[{"sku":"TSHIRT-BLK-M","quantity":2,"unitPrice":{"amount":1999,"currency":"EUR"}}]}'
  T=$(date +%s); SIG=$(printf '%s' "$T.$BODY" | openssl dgst -sha256 -hmac '${secret}' | sed 's/^.* //')
  curl -s -X POST ${cloud.apiUrl}/webhooks/generic -H 'content-type: application/json' -H "x-oms-signature: t=$T,v1=$SIG" -d "$BODY"
Then read it (use the orderId printed above):
  curl -s -H 'authorization: Bearer ${cloud.operatorToken}' ${cloud.apiUrl}/orders/<orderId>
Play the warehouse: hand the shipment to the carrier, then fetch its 4x6 label:
  curl -s -X POST ${cloud.apiUrl}/fulfillments/<orderId>-S1/events -H 'authorization: Bearer ${cloud.operatorToken}' -H 'content-type: application/json' -d '{"type":"shipped","carrier":"oms-post","weightGrams":900}'
  curl -s -o label.pdf -H 'authorization: Bearer ${cloud.operatorToken}' ${cloud.apiUrl}/shipments/<orderId>-S1/label
Play the carrier: sign {"trackingNumber":"<from the order>","status":"delivered"} like the order above, with the carrier secret, and POST it to ${cloud.apiUrl}/carriers/oms-post/tracking
Change it before it ships: cancel one unit of line 001 (the rest goes on), or, before release, edit it:
  curl -s -X POST ${cloud.apiUrl}/orders/<orderId>/cancel -H 'authorization: Bearer ${cloud.operatorToken}' -H 'content-type: application/json' -H "idempotency-key: $RANDOM" -d '{"reason":"customer asked","lines":[{"lineId":"001","quantity":1}]}'
  curl -s -X PATCH ${cloud.apiUrl}/orders/<orderId> -H 'authorization: Bearer ${cloud.operatorToken}' -H 'content-type: application/json' -H "idempotency-key: $RANDOM" -d '{"lines":[{"lineId":"001","quantity":3}]}'
Pick up in store: add "pickup":{"locationId":"ST-HAM"} to the order, then play the store with {"type":"ready_for_pickup"} and, once the customer came, {"type":"picked_up"}
Or simply: npm run oms -- orders demo
Replenishment: every night at 02:00 (Europe/Berlin) the plan sets safety stock and reorder points and drafts
purchase orders (demo supplier DEMO-SUPPLY sells the demo SKUs to WH-BER). Plan now, then look:
  npm run oms -- schedules fire oms-dev-replenishment-nightly
  curl -s -H 'authorization: Bearer ${cloud.operatorToken}' ${cloud.apiUrl}/purchase-orders
  curl -s -H 'authorization: Bearer ${cloud.operatorToken}' ${cloud.apiUrl}/inventory/TSHIRT-BLK-M    (each location's "plan" explains its figures)
  npm run oms -- replenishment backtest --demand ../shared/data/demand/online-retail-daily.csv --skus 200
Marketplaces: demo channels ${Object.keys(info.channels).join(", ")} talk to local fakes of their vendors' APIs
  npm run oms -- channels simulate shopify --orders 5     (also woocommerce, amazon)
Stop with Ctrl-C.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log("\nStopping the local cloud...");
    await demoChannels.stop();
    await cloud.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
} catch (error) {
  console.error(`\nnpm start failed: ${(error as Error).message}`);
  process.exit(1);
}
