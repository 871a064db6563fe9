import { readFileSync } from "node:fs";
import { StateMachine as Runner } from "aws-local-stepfunctions";
import { LOCAL_ACCOUNT, text, type CloudAssembly } from "../assembly.js";
import type { Resolver } from "../intrinsics.js";
import type { Definition, LocalStateMachine, StateDef } from "./types.js";

// The state machines of the assembly, read once at start: each definition checked for what the
// local runner cannot do faithfully (a loud error naming the state), then turned into what the
// runner executes.

export const NAME_PATTERN = /^[0-9A-Za-z_-]{1,80}$/;
const DYNAMODB_ACTIONS = new Set(["getItem", "putItem", "updateItem", "deleteItem"]);
/** The runner's own Task timeout, far out of the way: our clock enforces TimeoutSeconds instead. */
const RUNNER_TASK_TIMEOUT = 2_147_483;
export const LOCAL_WAIT = "arn:aws:states:::oms-local:wait";
/** Where a Task's TimeoutSecondsPath value reaches runTask (added to its Parameters, removed before the integration sees them). */
export const TIMEOUT_PARAMETER = "__omsTimeoutSeconds";

/** Task resources the local cloud can run, or a reason it cannot. */
function unsupported(state: StateDef): string | undefined {
  const r = text(state.Resource).replace(/\.waitForTaskToken$/, "");
  const pattern = /\.(sync(:2)?)$/.exec(r)?.[1];
  const base = r.replace(/\.sync(:2)?$/, "");
  if (pattern && base !== "arn:aws:states:::states:startExecution") return `integration pattern .${pattern} is only supported for states:startExecution locally`;
  if (base === "arn:aws:states:::lambda:invoke" || /^arn:aws:lambda:/.test(base)) return undefined;
  if (base === "arn:aws:states:::events:putEvents") return undefined;
  if (base === "arn:aws:states:::states:startExecution") return undefined;
  const ddb = /^arn:aws:states:::dynamodb:(\w+)$/.exec(base);
  if (ddb && DYNAMODB_ACTIONS.has(ddb[1] ?? "")) return undefined;
  if (/^arn:aws:states:::aws-sdk:dynamodb:\w+$/.test(base)) return undefined;
  return `resource ${text(state.Resource)} is not supported by the local cloud`;
}

export function walkStates(states: Record<string, StateDef>, visit: (name: string, s: StateDef, topLevel: boolean) => void, topLevel = true): void {
  for (const [name, s] of Object.entries(states)) {
    visit(name, s, topLevel);
    const iterator = (s.ItemProcessor ?? s.Iterator) as Definition | undefined;
    if (iterator) walkStates(iterator.States, visit, false);
    for (const branch of (s.Branches as Definition[] | undefined) ?? []) walkStates(branch.States, visit, false);
  }
}

/** Rejects at start, with the state name, anything in an ASL definition the local runner cannot do faithfully. */
export function checkDefinition(machine: string, definition: Definition): void {
  const problems: string[] = [];
  if (definition.QueryLanguage === "JSONata") problems.push(`${machine}: JSONata is not supported locally; use JSONPath`);
  walkStates(definition.States, (name, s) => {
    if (s.QueryLanguage === "JSONata") problems.push(`"${name}": JSONata is not supported locally`);
    if ("Assign" in s) problems.push(`"${name}": Assign (variables) is not supported locally`);
    // A Distributed Map runs here as the runner's Map (its iterations inline, MaxConcurrency at a
    // time, no child executions to list): only over items in the state's input.
    const mode = (s.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode;
    if (mode === "DISTRIBUTED") for (const field of ["ItemReader", "ItemBatcher", "ResultWriter", "ToleratedFailurePercentage", "ToleratedFailureCount", "ToleratedFailurePercentagePath", "ToleratedFailureCountPath"]) if (field in s) problems.push(`"${name}": a Distributed Map's ${field} is not supported locally (only ItemsPath over the input)`);
    if (s.ResultPath === "$") problems.push(`"${name}": an explicit ResultPath "$" is mis-handled by the local runner; omit it`);
    if (s.Type === "Task") {
      const why = unsupported(s);
      if (why) problems.push(`"${name}": ${why}`);
      if (s.HeartbeatSecondsPath) problems.push(`"${name}": HeartbeatSecondsPath is not supported locally`);
      if (s.TimeoutSecondsPath && (typeof s.Parameters !== "object" || s.Parameters === null)) problems.push(`"${name}": TimeoutSecondsPath needs Parameters locally (the runner reads the path through them)`);
      if (s.TimeoutSecondsPath && s.TimeoutSeconds !== undefined) problems.push(`"${name}": TimeoutSeconds and TimeoutSecondsPath together are invalid ASL`);
    }
  });
  if (problems.length) throw new Error(`State machine ${machine} cannot run locally:\n  ${problems.join("\n  ")}`);
}

/** The definition the runner executes: Wait states → clock-driven tasks; task timeouts enforced by our clock. */
function runnable(definition: Definition): Definition {
  const convert = (states: Record<string, StateDef>): Record<string, StateDef> =>
    Object.fromEntries(
      Object.entries(states).map(([name, s]) => {
        let out: StateDef = { ...s };
        if (s.Type === "Wait") {
          const { Seconds: _a, Timestamp: _b, SecondsPath: _c, TimestampPath: _d, ...rest } = s;
          out = { ...rest, Type: "Task", Resource: LOCAL_WAIT, ResultPath: null, TimeoutSeconds: RUNNER_TASK_TIMEOUT };
        } else if (s.Type === "Task") {
          const { HeartbeatSeconds: _h, TimeoutSecondsPath: timeoutPath, ...rest } = s;
          out = { ...rest, TimeoutSeconds: RUNNER_TASK_TIMEOUT };
          // The runner hands a task its Parameters' result only: the path travels through them, under a key runTask takes out again.
          if (typeof timeoutPath === "string") out.Parameters = { ...(s.Parameters as Record<string, unknown>), [`${TIMEOUT_PARAMETER}.$`]: timeoutPath };
        }
        const iterator = (s.ItemProcessor ?? s.Iterator) as Definition | undefined;
        if (iterator) out[s.ItemProcessor ? "ItemProcessor" : "Iterator"] = { ...iterator, States: convert(iterator.States) };
        if (s.Branches) out.Branches = (s.Branches as Definition[]).map((b) => ({ ...b, States: convert(b.States) }));
        return [name, out];
      }),
    );
  // The runner stamps $$.Execution.StartTime with the real time, over the context it is given: the
  // definition reads the execution's own start time (local-clock time, as the history shows) instead.
  const out = { ...definition, States: convert(definition.States) };
  return JSON.parse(JSON.stringify(out).replaceAll("$$.Execution.StartTime", () => `$$.Execution.${LOCAL_START_TIME}`)) as Definition;
}

/** Where the runner's context carries the execution's start time (local-clock time). */
export const LOCAL_START_TIME = "OmsLocalStartTime";


/** Every AWS::StepFunctions::StateMachine of the assembly, by ARN, definitions substituted and checked. */
export function loadStateMachines(assembly: CloudAssembly, resolver: Resolver): Map<string, LocalStateMachine> {
  const machines = new Map<string, LocalStateMachine>();
  for (const { stack, logicalId, resource } of assembly.ofType("AWS::StepFunctions::StateMachine")) {
    const p = resource.Properties ?? {};
    let definitionText: string;
    if (p.DefinitionS3Location) {
      const key = resolver.str(stack, (p.DefinitionS3Location as { Key: unknown }).Key);
      definitionText = readFileSync(assembly.assetPath(key), "utf8");
    } else if (p.DefinitionString !== undefined) definitionText = resolver.str(stack, p.DefinitionString);
    else if (p.Definition !== undefined) definitionText = JSON.stringify(resolver.resolve(stack, p.Definition));
    else throw new Error(`State machine ${logicalId} has no definition`);
    const subs = (resolver.resolve(stack, p.DefinitionSubstitutions ?? {}) ?? {}) as Record<string, unknown>;
    definitionText = definitionText.replace(/\$\{([A-Za-z0-9_]+)\}/g, (m, k: string) => (k in subs ? text(subs[k]) : m));
    const physical = resolver.physicalOf(stack, logicalId);
    const name = physical.attributes.Name ?? logicalId;
    const definition = JSON.parse(definitionText) as Definition;
    checkDefinition(name, definition);
    const states = new Map<string, StateDef>();
    walkStates(definition.States, (n, s) => states.set(n, s));
    const run = runnable(definition);
    machines.set(physical.ref, {
      runner: new Runner(run as never, { validationOptions: { checkPaths: true, checkArn: true } }),
      runnable: run,
      name,
      arn: physical.ref,
      definition,
      definitionString: definitionText,
      roleArn: p.RoleArn ? resolver.str(stack, p.RoleArn) : `arn:aws:iam::${LOCAL_ACCOUNT}:role/${name}`,
      type: text(p.StateMachineType, "STANDARD"),
      creationDate: new Date().toISOString(),
      states,
    });
  }
  return machines;
}
