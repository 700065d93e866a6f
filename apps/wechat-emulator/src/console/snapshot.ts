/** JSON view of the state for GET /__emulator/state and the console. No keys or secrets. */
import type { Deps } from '../deps';
import { TEST_USERS, openidFor, unionidFor } from '../users';

export function snapshot(deps: Deps) {
  const { state } = deps;
  return {
    currentUserId: state.currentUserId,
    merchants: deps.merchants.all.map((m) => ({
      appId: m.appId,
      mchId: m.mchId,
      name: deps.merchants.displayName(m),
      oauthDomains: m.oauthDomains,
    })),
    users: TEST_USERS.map((u) => ({
      id: u.id,
      nickname: u.nickname,
      unionid: unionidFor(u.id),
      openids: Object.fromEntries(deps.merchants.all.map((m) => [m.appId, openidFor(m.appId, u.id)])),
    })),
    orders: [...state.orders.values()].map((order) => {
      const { fingerprint: _fingerprint, ...rest } = order;
      return { ...rest, refunds: state.refundsOf(order).map((r) => r.outRefundNo) };
    }),
    refunds: [...state.refunds.values()],
    notifications: [...state.deliveries.values()],
    faults: state.faults,
    refundOutcomes: state.refundOutcomes,
    billDiscrepancies: state.billDiscrepancies,
    nextSheetCancels: [...state.cancelNextSheet],
    // Open sheets only: the console pays or cancels them as the user would.
    paySheets: [...state.tickets.values()]
      .filter((t) => t.status === 'open')
      .map((t) => {
        const order = state.findOrderByPrepayId(t.prepayId);
        return {
          id: t.id,
          prepayId: t.prepayId,
          outTradeNo: order?.outTradeNo,
          totalFee: order?.totalFee,
          body: order?.body,
          createdAt: t.createdAt,
        };
      }),
    oauth: {
      codes: [...state.codes.values()],
      accessTokens: [...state.accessTokens.values()].map((t) => ({
        token: t.token,
        appId: t.appId,
        userId: t.userId,
        openid: t.openid,
        scope: t.scope,
        expiresAt: t.expiresAt,
      })),
    },
    jssdk: {
      /** Calls per /cgi-bin endpoint: stable_token (normal), stable_token_force, token, getticket. */
      calls: state.jssdk.counters,
      globalTokens: [...state.jssdk.tokens.values()],
      tickets: [...state.jssdk.tickets.values()],
      /** wx.config verdicts of /jweixin.js pages. */
      configs: state.jssdk.configs,
      /** Share cards pages set (newest last). */
      shares: state.jssdk.shares,
    },
  };
}
