// The CEL environment CRD validation rules run in: the CEL standard library, the strings extension
// Kubernetes enables, and Kubernetes' IP and CIDR libraries. Programs are cached by expression text,
// since the emulator validates every write of every object against the same few rules.
import { celEnv, parse, plan, type CelResult, type CelInput } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { createRegistry } from '@bufbuild/protobuf';
import { cidrFuncs, ipFuncs, netRegistry } from './k8s-net.js';

const env = celEnv({ registry: createRegistry(netRegistry), funcs: [...strings, ...ipFuncs, ...cidrFuncs] });

type Program = (bindings: Record<string, CelInput>) => CelResult;
const programs = new Map<string, Program>();

/** Compiles (once) and runs `expr`. A syntax error throws, naming the expression. */
export function evaluate(expr: string, bindings: Record<string, CelInput>): CelResult {
  let program = programs.get(expr);
  if (!program) {
    let parsed;
    try {
      parsed = parse(expr);
    } catch (cause) {
      throw new Error(`CEL expression does not compile: ${JSON.stringify(expr)}`, { cause });
    }
    program = plan(env, parsed) as Program;
    programs.set(expr, program);
  }
  return program(bindings);
}
