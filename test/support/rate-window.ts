// The local rate limiter counts in windows aligned to the wall clock (miniflare keys each count by
// floor(now / period)). A test that counts requests up to a limit starts well inside a window, so
// the window cannot roll over in the middle and reset the count.
export async function inFreshRateWindow(periodSeconds = 60, marginMs = 5000): Promise<void> {
  const left = periodSeconds * 1000 - (Date.now() % (periodSeconds * 1000));
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 100));
}
