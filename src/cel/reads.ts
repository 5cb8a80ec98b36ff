import type { CelExpression } from "./engine.ts";

/** What a set of expressions needs a request to provide, decided once at load. */
export interface CelReads {
  /** `request.body`: read the request body (bounded) before the steps run. */
  requestBody: boolean;
  /** `response.body`: read or copy the upstream body. */
  responseBody: boolean;
  /** `request.headers` (or the whole `request`): keep the client's headers as they arrived. */
  requestHeaders: boolean;
}

/** Reads of `expressions`, from the member paths each one uses. */
export function celReads(expressions: Iterable<CelExpression>): CelReads {
  const reads: CelReads = { requestBody: false, responseBody: false, requestHeaders: false };
  for (const expression of expressions) {
    const paths = expression.paths;
    if (paths.has("request.body")) reads.requestBody = true;
    if (paths.has("response.body")) reads.responseBody = true;
    if (paths.has("request.headers") || readsWholeRoot(expression, "request")) {
      reads.requestHeaders = true;
    }
  }
  return reads;
}

/** Whether the expression uses `root` as a value (`toJson(request)`), not only its fields. */
function readsWholeRoot(expression: CelExpression, root: string): boolean {
  if (!expression.roots.has(root)) return false;
  for (const path of expression.paths) if (path.startsWith(`${root}.`)) return false;
  return true;
}
