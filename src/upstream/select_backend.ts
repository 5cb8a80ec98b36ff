/** Weighted random choice; backends of weight 0 are never chosen. Undefined when none can be. */
export function selectBackend<T extends { readonly weight: number }>(
  backends: readonly T[],
): T | undefined {
  if (backends.length === 1) return backends[0]!.weight > 0 ? backends[0] : undefined;
  let total = 0;
  for (const backend of backends) total += backend.weight;
  if (total === 0) return undefined;
  let pick = Math.random() * total;
  for (const backend of backends) {
    pick -= backend.weight;
    if (pick < 0) return backend;
  }
  return backends.findLast((backend) => backend.weight > 0);
}
