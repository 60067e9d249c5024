// Who is signed in, read from a refresh token without spending it. Pages answer GET requests
// with this, because GET never changes state: rotating the refresh token (and so setting
// cookies) on a GET would let a link, a prefetch or a mail scanner change a session. Only the
// current token of a live session counts; a rotated one is refused here and left for refresh's
// reuse detection. Reading does not extend the session: its idle timeout runs from the last
// refresh, which the next state-changing request does.
import type { AccountServices } from '../services';
import type { Authenticated } from './session-flows';
import { digestToken } from '../kit/random-token';

export async function findSessionByRefreshToken(
  services: Pick<AccountServices, 'sessions' | 'clock'>,
  refreshToken: string,
): Promise<Authenticated | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(refreshToken)) return null;
  const found = await services.sessions.findRefreshToken(await digestToken(refreshToken));
  if (!found || found.token.rotatedAt !== null) return null;
  return services.sessions.findActive(found.session.id, found.session.userId, services.clock.now());
}
