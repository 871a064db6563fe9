import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CloudAssembly } from "./assembly.js";
import type { Resolver } from "./intrinsics.js";

/** The name of the assembly's queue an ARN points at (dead-letter and on-failure destinations), or the ARN itself. */
export function queueNameOf(assembly: CloudAssembly, resolver: Resolver): (arn: string) => string {
  const names = new Map<string, string>();
  for (const { stack, logicalId } of assembly.ofType("AWS::SQS::Queue")) {
    const p = resolver.physicalOf(stack, logicalId);
    names.set(p.attributes.Arn ?? "", p.attributes.QueueName ?? logicalId);
  }
  return (arn) => names.get(arn) ?? arn;
}

export interface DeadLetter {
  queue: string;
  at: string;
  rule: string;
  target: string;
  attempts: number;
  errorType: string;
  errorMessage: string;
  event: unknown;
}

/** The SQS queues of the assembly, as dead-letter stores: JSON lines on disk, one file per queue. */
export class DeadLetterStore {
  constructor(private readonly dir: string) {}

  add(letter: DeadLetter): void {
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(path.join(this.dir, `${letter.queue}.jsonl`), JSON.stringify(letter) + "\n");
  }

  list(queue: string): DeadLetter[] {
    const file = path.join(this.dir, `${queue}.jsonl`);
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as DeadLetter);
  }
}
