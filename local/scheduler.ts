import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { AwsError } from "./aws-errors.js";
import type { LocalClock } from "./clock.js";
import type { Resolver } from "./intrinsics.js";
import type { IamLocal } from "./iam.js";
import type { LambdaRuntime } from "./lambda-runtime.js";
import type { StepFunctionsLocal } from "./stepfunctions.js";
import { nextFire } from "./schedule-expression.js";

export interface LocalSchedule {
  name: string;
  kind: "rule" | "scheduler";
  expression: string;
  timeZone: string;
  enabled: boolean;
  /** EventBridge Scheduler targets carry the role the scheduler invokes them as. */
  targets: { arn: string; input?: string; roleArn?: string; kind: "lambda" | "states" }[];
  ruleArn?: string;
  nextFireAt?: number;
  lastFiredAt?: number;
}

/**
 * Fires `AWS::Events::Rule` schedule expressions and `AWS::Scheduler::Schedule`s on the local
 * clock (rate, cron with time zones, at). A fire that fell due while the cloud was stopped, or
 * that a clock jump skipped over, fires once, as AWS does not catch up. Targets: Lambda functions,
 * and (Scheduler's universal target) state machines, started as the schedule's role.
 */
export class SchedulerLocal {
  readonly schedules: LocalSchedule[] = [];
  private readonly file: string;
  private readonly controller = new AbortController();
  readonly fired: { name: string; at: string }[] = [];

  constructor(
    assembly: CloudAssembly,
    resolver: Resolver,
    private readonly lambda: LambdaRuntime,
    private readonly clock: LocalClock,
    dataDir: string,
    private readonly iam: IamLocal,
    private readonly sfn?: StepFunctionsLocal,
  ) {
    this.file = path.join(dataDir, "schedules.json");
    const kept = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, "utf8")) as Record<string, number>) : {};
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Events::Rule")) {
      const p = resolver.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>;
      if (!p.ScheduleExpression) continue;
      const name = resolver.physicalOf(stack, logicalId).ref;
      this.schedules.push({
        name,
        kind: "rule",
        expression: text(p.ScheduleExpression),
        timeZone: "UTC",
        enabled: text(p.State, "ENABLED") === "ENABLED",
        targets: ((p.Targets as { Arn: string; Input?: string }[] | undefined) ?? []).map((t) => this.target(logicalId, t.Arn, t.Input)),
        ruleArn: resolver.physicalOf(stack, logicalId).attributes.Arn,
        lastFiredAt: kept[name],
      });
    }
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::Scheduler::Schedule")) {
      const p = resolver.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>;
      const name = text(p.Name, `${stack}-${logicalId}`);
      const t = p.Target as { Arn: string; Input?: string; RoleArn?: string };
      if (!t.RoleArn) throw new Error(`Schedule ${logicalId}: its target has no RoleArn (EventBridge Scheduler invokes as that role)`);
      this.schedules.push({
        name,
        kind: "scheduler",
        expression: text(p.ScheduleExpression),
        timeZone: text(p.ScheduleExpressionTimezone, "UTC"),
        enabled: text(p.State, "ENABLED") === "ENABLED",
        targets: [{ ...this.target(logicalId, t.Arn, t.Input, true), roleArn: t.RoleArn }],
        lastFiredAt: kept[name],
      });
    }
    for (const s of this.schedules) nextFire(s.expression, this.clock.now(), s.timeZone); // invalid expressions fail at start
  }

  private target(owner: string, arn: string, input?: string, scheduler = false) {
    const kind = this.lambda.find(arn) ? ("lambda" as const) : scheduler && this.sfn?.machines.has(arn) ? ("states" as const) : undefined;
    if (!kind) throw new Error(`Schedule ${owner}: target ${arn} is not a Lambda function${scheduler ? " or a state machine" : ""} of the assembly; the local cloud fires only those targets`);
    return input === undefined ? { arn, kind } : { arn, input, kind };
  }

  /** Starts one loop per enabled schedule. */
  start(): void {
    for (const s of this.schedules) if (s.enabled) void this.loop(s);
  }

  stop(): void {
    this.controller.abort(new Error("scheduler stopped"));
  }

  /** Fires a schedule now (the "fire one now" command), whatever its expression says. */
  async fire(name: string): Promise<void> {
    const s = this.schedules.find((x) => x.name === name);
    if (!s) throw new AwsError("ResourceNotFoundException", `Schedule ${name} does not exist`);
    await this.invoke(s);
  }

  private async loop(s: LocalSchedule): Promise<void> {
    const anchor = s.lastFiredAt ?? this.clock.now();
    for (;;) {
      const next = nextFire(s.expression, Math.max(s.lastFiredAt ?? anchor, this.clock.now() - 1), s.timeZone, anchor);
      s.nextFireAt = next;
      if (next === undefined) return;
      try {
        await this.clock.until(next, this.controller.signal);
      } catch {
        return;
      }
      await this.invoke(s);
    }
  }

  private async invoke(s: LocalSchedule): Promise<void> {
    const now = this.clock.now();
    s.lastFiredAt = now;
    this.fired.push({ name: s.name, at: new Date(now).toISOString() });
    writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.schedules.filter((x) => x.lastFiredAt).map((x) => [x.name, x.lastFiredAt]))));
    for (const t of s.targets) {
      const event =
        t.input !== undefined
          ? (JSON.parse(t.input) as unknown)
          : s.kind === "rule"
            ? { version: "0", id: randomUUID(), "detail-type": "Scheduled Event", source: "aws.events", account: LOCAL_ACCOUNT, time: new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"), region: LOCAL_REGION, resources: [s.ruleArn], detail: {} }
            : {};
      // As AWS: a rule's schedule invokes under the function's Lambda permission for events.amazonaws.com;
      // an EventBridge Scheduler schedule as its target's role.
      const caller = s.kind === "rule" ? { service: "events.amazonaws.com", sourceArn: s.ruleArn ?? "" } : { session: this.iam.session(t.roleArn ?? "", s.name.slice(0, 64)) };
      if (t.kind === "states") {
        // Scheduler's StartExecution target: the role must be allowed to start it; a new execution each time.
        const denied = "session" in caller && caller.session ? this.iam.denial(caller.session, "states:StartExecution", [t.arn]) : `no role to start ${t.arn} as`;
        if (denied) console.error(`[scheduler] ${s.name} → ${t.arn}: AccessDenied: ${denied}`);
        else this.sfn?.startExecution(t.arn, randomUUID(), t.input ?? "{}");
        continue;
      }
      const out = await this.lambda.invoke(t.arn, event, { background: true, caller });
      if (!out.ok && !this.controller.signal.aborted) console.error(`[scheduler] ${s.name} → ${t.arn}: ${out.errorType}: ${out.errorMessage}`);
    }
  }
}
