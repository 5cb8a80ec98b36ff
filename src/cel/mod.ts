/**
 * CEL: the expression engine wrapper, agentgateway's extra functions, and the per-request
 * activation. Expressions compile at config load; only the variables they read are built.
 * @module
 */
export { CelCompileError, type CelExpression, compileExpression } from "./engine.ts";
export { FlattenedMap, toPlain } from "./functions.ts";
export { type CelReads, celReads } from "./reads.ts";
export { buildActivation, type CelPhase, isAbsentValueError } from "./context.ts";
