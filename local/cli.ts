import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient, type ExecutionStatus, type HistoryEvent } from "@aws-sdk/client-sfn";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { signWebhook } from "../functions/adapters/channels/signature.js";
import { documentClient } from "../functions/adapters/dynamodb/client.js";
import { DynamoInventory } from "../functions/adapters/dynamodb/inventory-repository.js";
import { parseDuration } from "./clock.js";
import { demoOrder } from "./seed.js";
import { ROOT } from "./synth.js";

const HELP = `npm run oms -- <command>   (against the running local cloud, found through .oms/local.json)

  orders demo                         post a signed demo order, wait for its workflow, print it
  orders get <orderId>                one order with lines and status history
  orders list [--status S] [--channel C] [--limit N]
  executions list [--status RUNNING|SUCCEEDED|FAILED|TIMED_OUT|ABORTED]
  executions show <orderId | executionArn>   an execution's states as a timeline
  clock now | clock advance <30d|12h|90m|45s>   read or move the local cloud's clock
  schedules list | schedules fire <name>       schedules, their next fire times; fire one now
  dlq list <queue>                             events that exhausted their retries
  inventory check                              recompute every reserved counter from reservations; "no drift" when clean`;

interface LocalInfo {
  apiUrl: string;
  awsEndpoint: string;
  operatorToken: string;
  channelSecrets: Record<string, string>;
  stateMachines: Record<string, string>;
  tableName: string;
}

function localInfo(): LocalInfo {
  const file = path.join(ROOT, ".oms", "local.json");
  if (!existsSync(file)) throw new Error("No .oms/local.json: start the local cloud first (npm start)");
  return JSON.parse(readFileSync(file, "utf8")) as LocalInfo;
}

async function api(info: LocalInfo, route: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${info.apiUrl}${route}`, {
    ...init,
    headers: { authorization: `Bearer ${info.operatorToken}`, ...(init.headers as Record<string, string> | undefined) },
  });
  return { status: res.status, body: (await res.json()) };
}

const sfnFor = (info: LocalInfo) =>
  new SFNClient({ endpoint: info.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });

const orderMachine = (info: LocalInfo) => {
  const arn = Object.entries(info.stateMachines).find(([name]) => name.endsWith("order-fulfillment"))?.[1];
  if (!arn) throw new Error("No order-fulfillment state machine in .oms/local.json");
  return arn;
};

function describeEvent(e: HistoryEvent): string {
  const d = e.stateEnteredEventDetails ?? e.stateExitedEventDetails;
  if (d) return `${e.type?.replace(/State(Entered|Exited)$/, "").padEnd(8)} ${e.type?.endsWith("Entered") ? "→" : "←"} ${d.name}`;
  if (e.taskFailedEventDetails) return `TaskFailed  ${e.taskFailedEventDetails.error}: ${(e.taskFailedEventDetails.cause ?? "").slice(0, 160)}`;
  if (e.executionFailedEventDetails) return `ExecutionFailed  ${e.executionFailedEventDetails.error}: ${e.executionFailedEventDetails.cause ?? ""}`;
  return e.type ?? "";
}

/** The local cloud's own controls on its AWS endpoint. */
async function admin(info: LocalInfo, op: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const res = await fetch(info.awsEndpoint, { method: "POST", headers: { "x-amz-target": `OmsLocal.${op}`, "content-type": "application/x-amz-json-1.0" }, body: JSON.stringify(body) });
  const out = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${String(out.__type)}: ${String(out.message)}`);
  return out;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { status: { type: "string" }, channel: { type: "string" }, limit: { type: "string" }, help: { type: "boolean" } },
  });
  const [group, command, arg] = positionals;
  if (values.help || !group) return console.log(HELP);
  const info = localInfo();
  const key = `${group} ${command ?? ""}`;
  switch (key) {
    case "orders demo": {
      const body = JSON.stringify(demoOrder(`demo-${Date.now().toString(36)}`));
      const secret = info.channelSecrets.generic ?? "";
      const res = await fetch(`${info.apiUrl}/webhooks/generic`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-oms-signature": signWebhook(secret, body) },
        body,
      });
      const placed = (await res.json()) as { orderId?: string };
      console.log(`POST /webhooks/generic → ${res.status} ${JSON.stringify(placed)}`);
      if (!placed.orderId) process.exit(1);
      const sfn = sfnFor(info);
      const executionArn = `${orderMachine(info).replace(":stateMachine:", ":execution:")}:${placed.orderId}`;
      let status: ExecutionStatus | undefined;
      for (let i = 0; i < 100; i++) {
        status = (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
        if (status !== "RUNNING") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`execution ${placed.orderId}: ${status}`);
      const order = await api(info, `/orders/${placed.orderId}`);
      console.log(JSON.stringify(order.body, null, 2));
      return;
    }
    case "orders get": {
      const out = await api(info, `/orders/${arg ?? ""}`);
      console.log(JSON.stringify(out.body, null, 2));
      if (out.status >= 400) process.exitCode = 1;
      return;
    }
    case "orders list": {
      const q = new URLSearchParams();
      for (const k of ["status", "channel", "limit"] as const) if (values[k]) q.set(k, values[k]);
      const out = await api(info, `/orders?${q.toString()}`);
      const items = (out.body as { items?: { orderId: string; status: string; channel: string; externalOrderId: string; createdAt: string }[] }).items;
      if (!items) return console.log(JSON.stringify(out.body, null, 2));
      for (const o of items) console.log(`${o.createdAt}  ${o.orderId}  ${o.status.padEnd(10)} ${o.channel}/${o.externalOrderId}`);
      return;
    }
    case "executions list": {
      const out = await sfnFor(info).send(
        new ListExecutionsCommand({ stateMachineArn: orderMachine(info), statusFilter: values.status as ExecutionStatus | undefined, maxResults: 100 }),
      );
      for (const e of out.executions ?? []) console.log(`${e.startDate?.toISOString()}  ${e.name}  ${e.status}`);
      return;
    }
    case "executions show": {
      if (!arg) throw new Error("executions show needs an order id or execution ARN");
      const executionArn = arg.startsWith("arn:") ? arg : `${orderMachine(info).replace(":stateMachine:", ":execution:")}:${arg}`;
      const sfn = sfnFor(info);
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
      const db = documentClient(new DynamoDBClient({ endpoint: info.awsEndpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } }));
      const report = await new DynamoInventory(db, info.tableName, { now: () => new Date().toISOString() }, { next: () => "" }).check();
      if (report.drift.length === 0) return console.log(`no drift (${report.checked} stock records checked)`);
      for (const d of report.drift) console.log(`DRIFT ${d.sku} at ${d.locationId}: reserved ${d.reserved} vs reservations ${d.sumOfReservations}; available ${d.available} vs ${d.expectedAvailable}`);
      process.exitCode = 1;
      return;
    }
    case "clock now":
      return console.log((await admin(info, "GetClock")).now);
    case "clock advance":
      return console.log((await admin(info, "AdvanceClock", { milliseconds: parseDuration(arg ?? "") })).now);
    case "schedules list": {
      const { schedules } = (await admin(info, "ListSchedules")) as { schedules: { name: string; expression: string; timeZone: string; nextFireAt: string | null; lastFiredAt: string | null }[] };
      for (const x of schedules) console.log(`${x.name}  ${x.expression} (${x.timeZone})  next ${x.nextFireAt ?? "never"}  last ${x.lastFiredAt ?? "never"}`);
      return;
    }
    case "schedules fire":
      return console.log(JSON.stringify(await admin(info, "FireSchedule", { name: arg })));
    case "dlq list":
      return console.log(JSON.stringify((await admin(info, "ListDeadLetters", { queue: arg })).deadLetters, null, 2));
    default:
      console.log(HELP);
      process.exitCode = 2;
  }
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
