let cachedSecond = -1;
let cachedPrefix = "";

/**
 * `new Date().toISOString()`, cheaper: the part up to the second is formatted once per second
 * (an access line per request would otherwise format a full date each time).
 */
export function isoTimestamp(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const ms = now - second * 1000;
  return `${cachedPrefix}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z`;
}
