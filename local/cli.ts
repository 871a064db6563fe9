import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type ExecutionStatus, type HistoryEvent } from "@aws-sdk/client-sfn";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { signWebhook } from "../functions/adapters/channels/signature.js";
import { documentClient } from "../functions/adapters/dynamodb/client.js";
import { checkInventoryDrift } from "../functions/adapters/dynamodb/inventory-drift.js";
import { DynamoStockLedger } from "../functions/adapters/dynamodb/stock-ledger.js";
import { DynamoCatalog } from "../functions/adapters/dynamodb/catalog-repository.js";
import { DynamoRoutingRules } from "../functions/adapters/dynamodb/routing-rules-repository.js";
import { simulateRouting, type SimulatedOrder } from "../functions/app/simulate-routing.js";
import { parseRoutingRules } from "../functions/domain/routing-rules.js";
import { readFileSync } from "node:fs";
import { localTarget, stageTarget, type CliTarget } from "./cli-target.js";
import { backtestFile, backtestTable } from "./backtest.js";
import { parseDuration } from "./clock.js";
import { demoOrder } from "./seed.js";
import { ROOT } from "./synth.js";

const HELP = `npm run oms -- [--stage <stage> [--region <region>]] <command>

Without --stage, commands go to the running local cloud (found through .oms/local.json); with it,
to a deployed stage (its CloudFormation outputs, your default AWS credentials, SigV4-signed API calls).

  orders demo                         post a signed demo order, wait for its workflow, print it
  orders get <orderId>                one order with lines and status history
  orders list [--status S] [--channel C] [--limit N]
  executions list [--status RUNNING|SUCCEEDED|FAILED|TIMED_OUT|ABORTED]
  executions show <orderId | executionArn>   an execution's states as a timeline
  inventory check                              recompute every reserved counter from reservations; "no drift" when clean
  routing simulate --orders FILE [--rules FILE ...] [--channel C] [--algorithm optimizer|greedy]
                                     replay orders ([{ lines: [{ sku, quantity }], delivery }]) against current
                                     inventory, once per rule set (default: the channel's current rules)

Local cloud only:
  events list [--source S] [--type T] [--limit N]   events the bus archived, oldest first
  clock now | clock advance <30d|12h|90m|45s>   read or move the local cloud's clock
  schedules list | schedules fire <name>       schedules, their next fire times; fire one now
  dlq list <queue>                             events that exhausted their retries
  replenishment backtest --demand FILE.csv [--horizon 28] [--service-level 0.95] [--lead-time 7] [--skus N] [--json]
                                     replay a demand file (wide: sku,<date>,...; long: sku,date,quantity) with the
                                     planner's code: MASE/RMSSE per method vs seasonal-naive, and the planner's
                                     policy (fill rate, stock, orders) beside a naive 28-day-mean policy; no cloud needed
  channels simulate <shopify|woocommerce|amazon> [--orders N]
                                     the demo channel's fake makes N orders and tells the OMS as its
                                     vendor does (a signed webhook; for Amazon, ORDER_CHANGE on the queue)`;

function describeEvent(e: HistoryEvent): string {
  const d = e.stateEnteredEventDetails ?? e.stateExitedEventDetails;
  if (d) return `${e.type?.replace(/State(Entered|Exited)$/, "").padEnd(8)} ${e.type?.endsWith("Entered") ? "→" : "←"} ${d.name}`;
  if (e.taskFailedEventDetails) return `TaskFailed  ${e.taskFailedEventDetails.error}: ${(e.taskFailedEventDetails.cause ?? "").slice(0, 160)}`;
  if (e.executionFailedEventDetails) return `ExecutionFailed  ${e.executionFailedEventDetails.error}: ${e.executionFailedEventDetails.cause ?? ""}`;
  return e.type ?? "";
}

/** The local cloud's own controls on its AWS endpoint. */
async function admin(target: CliTarget, op: string, body: unknown = {}): Promise<Record<string, unknown>> {
  if (!target.adminEndpoint) throw new Error(`This command controls the local cloud; stage ${target.name} has no such endpoint`);
  const res = await fetch(target.adminEndpoint, { method: "POST", headers: { "x-amz-target": `OmsLocal.${op}`, "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify(body) });
  const out = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${String(out.__type)}: ${String(out.message)}`);
  return out;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      status: { type: "string" },
      channel: { type: "string" },
      limit: { type: "string" },
      source: { type: "string" },
      type: { type: "string" },
      stage: { type: "string" },
      orders: { type: "string" },
      rules: { type: "string", multiple: true },
      algorithm: { type: "string" },
      region: { type: "string" },
      help: { type: "boolean" },
      demand: { type: "string" },
      horizon: { type: "string" },
      "service-level": { type: "string" },
      "lead-time": { type: "string" },
      skus: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const [group, command, arg] = positionals;
  if (values.help || !group) return console.log(HELP);
  if (`${group} ${command ?? ""}` === "replenishment backtest") {
    // Needs no cloud: the production forecasting and planning code over a demand file.
    if (!values.demand) throw new Error("replenishment backtest needs --demand FILE.csv");
    const numberOf = (name: string, v: string | undefined) => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
      return n;
    };
    const options = Object.fromEntries(Object.entries({ horizon: numberOf("horizon", values.horizon), serviceLevel: numberOf("service-level", values["service-level"]), leadTimeDays: numberOf("lead-time", values["lead-time"]), skus: numberOf("skus", values.skus) }).filter(([, v]) => v !== undefined));
    const report = backtestFile(values.demand, options);
    return console.log(values.json ? JSON.stringify(report, null, 2) : backtestTable(report));
  }
  const target = values.stage ? await stageTarget(values.stage, { region: values.region }) : localTarget(ROOT);
  const sfn = new SFNClient(target.aws);
  const key = `${group} ${command ?? ""}`;
  switch (key) {
    case "orders demo": {
      const body = JSON.stringify(demoOrder(`demo-${Date.now().toString(36)}`));
      const secret = await target.channelSecret("generic");
      const res = await fetch(`${target.apiUrl}/webhooks/generic`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-oms-signature": signWebhook(secret, body) },
        body,
      });
      const placed = (await res.json()) as { orderId?: string };
      console.log(`POST /webhooks/generic → ${res.status} ${JSON.stringify(placed)}`);
      if (!placed.orderId) process.exit(1);
      const executionArn = `${target.orderWorkflowArn.replace(":stateMachine:", ":execution:")}:${placed.orderId}`;
      let status: ExecutionStatus | undefined;
      for (let i = 0; i < 100; i++) {
        status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
        if (status !== "RUNNING") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`execution ${placed.orderId}: ${status}`);
      const order = await target.api(`/orders/${placed.orderId}`);
      console.log(JSON.stringify(order.body, null, 2));
      return;
    }
    case "orders get": {
      const out = await target.api(`/orders/${arg ?? ""}`);
      console.log(JSON.stringify(out.body, null, 2));
      if (out.status >= 400) process.exitCode = 1;
      return;
    }
    case "orders list": {
      const q = new URLSearchParams();
      for (const k of ["status", "channel", "limit"] as const) if (values[k]) q.set(k, values[k]);
      const out = await target.api(`/orders?${q.toString()}`);
      const items = (out.body as { items?: { orderId: string; status: string; channel: string; externalOrderId: string; createdAt: string }[] }).items;
      if (!items) return console.log(JSON.stringify(out.body, null, 2));
      for (const o of items) console.log(`${o.createdAt}  ${o.orderId}  ${o.status.padEnd(10)} ${o.channel}/${o.externalOrderId}`);
      return;
    }
    case "executions list": {
      const out = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: target.orderWorkflowArn, statusFilter: values.status as ExecutionStatus | undefined, maxResults: 100 }),
      );
      for (const e of out.executions ?? []) console.log(`${e.startDate?.toISOString()}  ${e.name}  ${e.status}`);
      return;
    }
    case "executions show": {
      if (!arg) throw new Error("executions show needs an order id or execution ARN");
      const executionArn = arg.startsWith("arn:") ? arg : `${target.orderWorkflowArn.replace(":stateMachine:", ":execution:")}:${arg}`;
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      console.log(`${d.name}  ${d.status}  started ${d.startDate?.toISOString()}${d.stopDate ? `  stopped ${d.stopDate.toISOString()}` : ""}`);
      let nextToken: string | undefined;
      const t0 = d.startDate?.getTime() ?? 0;
      do {
        const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken }));
        for (const e of h.events ?? []) console.log(`  +${String((e.timestamp?.getTime() ?? t0) - t0).padStart(6)} ms  ${describeEvent(e)}`);
        nextToken = h.nextToken;
      } while (nextToken);
      if (d.error) console.log(`  error: ${d.error}: ${d.cause ?? ""}`);
      return;
    }
    case "inventory check": {
      const db = documentClient(new DynamoDBClient(target.aws));
      const report = await checkInventoryDrift(db, target.tableName);
      if (report.drift.length === 0) return console.log(`no drift (${report.checked} stock records checked, ${target.kind === "local" ? "local cloud" : `stage ${target.name}`})`);
      for (const d of report.drift) console.log(`DRIFT ${d.sku} at ${d.locationId}: reserved ${d.reserved} vs reservations ${d.sumOfReservations}; available ${d.available} vs ${d.expectedAvailable}`);
      process.exitCode = 1;
      return;
    }
    case "routing simulate": {
      if (!values.orders) throw new Error("routing simulate needs --orders FILE");
      const orders = JSON.parse(readFileSync(values.orders, "utf8")) as SimulatedOrder[];
      if (!Array.isArray(orders)) throw new Error(`${values.orders} must hold a JSON array of orders`);
      const db = documentClient(new DynamoDBClient(target.aws));
      const catalog = new DynamoCatalog(db, target.tableName);
      const inventory = new DynamoStockLedger(db, target.tableName, { now: () => new Date().toISOString() }, { next: () => "" });
      const skus = [...new Set(orders.flatMap((o) => o.lines.map((l) => l.sku)))];
      const snapshot = { locations: await catalog.listLocations(), skus: await catalog.getSkus(skus), stock: (await Promise.all(skus.map((sku) => inventory.stockOf(sku)))).flat() };
      const channel = values.channel ?? "generic";
      const ruleSets = values.rules?.length
        ? values.rules.map((file) => ({ name: file, rules: parseRoutingRules(JSON.parse(readFileSync(file, "utf8"))) }))
        : [{ name: `${channel} (current rules)`, rules: await new DynamoRoutingRules(db, target.tableName).current(channel) }];
      const algorithm = values.algorithm === "greedy" ? "greedy" : "optimizer";
      console.log(`${orders.length} orders against ${target.kind === "local" ? "the local cloud's" : `stage ${target.name}'s`} inventory (${snapshot.stock.length} stock records), ${algorithm}:`);
      for (const { name, rules } of ruleSets) {
        const r = simulateRouting(snapshot, orders, rules, { algorithm });
        console.log(
          `  ${name}\n    cost ${(r.totalCost / 100).toFixed(2)} ${r.currency}; ${r.shipments} shipments (${r.shipmentsPerOrder.toFixed(2)}/order, ${r.splitOrders} split orders); ${r.distanceKm} km; ${r.backorderedUnits} units backordered in ${r.ordersWithBackorder} orders` +
            (r.invalidOrders.length ? `; ${r.invalidOrders.length} invalid (${r.invalidOrders.slice(0, 3).map((x) => `#${x.index}: ${x.reason}`).join("; ")})` : "") +
            `\n    by location: ${Object.entries(r.byLocation).map(([id, x]) => `${id} ${x.shipments}/${x.units}u`).join(", ")}`,
        );
      }
      return;
    }
    case "events list": {
      const { events } = (await admin(target, "ListArchivedEvents", { source: values.source, detailType: values.type, limit: Number(values.limit ?? 50) })) as {
        events: { time: string; source: string; "detail-type": string; detail: { metadata?: { eventId?: string }; data?: unknown } }[];
      };
      for (const e of events) console.log(`${e.time}  ${e.source.padEnd(14)} ${e["detail-type"].padEnd(18)} ${e.detail.metadata?.eventId ?? ""}  ${JSON.stringify(e.detail.data).slice(0, 160)}`);
      return;
    }
    case "clock now":
      return console.log((await admin(target, "GetClock")).now);
    case "clock advance":
      return console.log((await admin(target, "AdvanceClock", { milliseconds: parseDuration(arg ?? "") })).now);
    case "schedules list": {
      const { schedules } = (await admin(target, "ListSchedules")) as { schedules: { name: string; expression: string; timeZone: string; nextFireAt: string | null; lastFiredAt: string | null }[] };
      for (const x of schedules) console.log(`${x.name}  ${x.expression} (${x.timeZone})  next ${x.nextFireAt ?? "never"}  last ${x.lastFiredAt ?? "never"}`);
      return;
    }
    case "schedules fire":
      return console.log(JSON.stringify(await admin(target, "FireSchedule", { name: arg })));
    case "channels simulate": {
      const [id, channel] = Object.entries(target.channels ?? {}).find(([, c]) => c.type === arg) ?? [];
      if (!channel) throw new Error(`The local cloud has no demo ${arg ?? "<type>"} channel (types: ${[...new Set(Object.values(target.channels ?? {}).map((c) => c.type))].join(", ") || "none: restart npm start"})`);
      const res = await fetch(`${channel.apiEndpoint}/_fake/simulate?orders=${values.orders ?? "1"}`, { method: "POST" });
      const out = (await res.json()) as { results?: { id: string; status?: number; body?: { orderId?: string; status?: string }; queued?: boolean; error?: string }[]; errors?: string };
      if (!res.ok || !out.results) throw new Error(`The ${arg ?? ""} fake answered ${res.status}: ${out.errors ?? ""}`);
      for (const r of out.results) console.log(r.error ? `error: ${r.error}` : `${id} order ${r.id} → ${r.queued ? "ORDER_CHANGE on the notifications queue" : `${r.status ?? ""} ${JSON.stringify(r.body)}`}`);
      if (out.results.some((r) => r.error || (r.status !== undefined && r.status >= 300))) process.exitCode = 1;
      return;
    }
    case "dlq list":
      return console.log(JSON.stringify((await admin(target, "ListDeadLetters", { queue: arg })).deadLetters, null, 2));
    default:
      console.log(HELP);
      process.exitCode = 2;
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
