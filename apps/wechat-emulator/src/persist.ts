/**
 * Optional state file (EMULATOR_STATE_FILE): the emulator's orders, prepay_ids, refunds, notification
 * deliveries, OAuth codes/tokens and the global access_tokens and jsapi_tickets survive a restart, like the BFF's
 * own database does in dev (its cached ticket must still verify in wx.config after the emulator restarts).
 * Pay sheets, consent requests and faults are per-session test plumbing and are not kept.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { GlobalToken, JsapiTicket } from './jssdk/state';
import { TRADE_STATES, type Order } from './pay/order';
import type { AccessToken, OauthCode, RefreshToken } from './oauth/grants';
import type { EmulatorState } from './state';
import type { NotifyDelivery } from './notify/delivery';
import type { Refund } from './pay/refund-record';

const VERSION = 1;

interface StateFileV1 {
  version: typeof VERSION;
  sequence: number;
  currentUserId: string;
  orders: Order[];
  prepays: Array<{ prepayId: string; orderKey: string; issuedAt: number }>;
  refunds: Refund[];
  deliveries: NotifyDelivery[];
  codes: OauthCode[];
  accessTokens: AccessToken[];
  refreshTokens: RefreshToken[];
  /** Absent in files written before the JS-SDK credentials existed. */
  jssdk?: {
    tokens: GlobalToken[];
    tickets: JsapiTicket[];
    stableByApp: [string, string][];
    classicByApp: [string, string][];
  };
}

export function serializeState(state: EmulatorState): string {
  const data: StateFileV1 = {
    version: VERSION,
    sequence: state.sequence,
    currentUserId: state.currentUserId,
    orders: [...state.orders.values()],
    prepays: [...state.prepays].map(([prepayId, p]) => ({ prepayId, ...p })),
    refunds: [...state.refunds.values()],
    deliveries: [...state.deliveries.values()],
    codes: [...state.codes.values()],
    accessTokens: [...state.accessTokens.values()],
    refreshTokens: [...state.refreshTokens.values()],
    jssdk: {
      tokens: [...state.jssdk.tokens.values()],
      tickets: [...state.jssdk.tickets.values()],
      stableByApp: [...state.jssdk.stableByApp],
      classicByApp: [...state.jssdk.classicByApp],
    },
  };
  return `${JSON.stringify(data, null, 1)}\n`;
}

export class StateFileError extends Error {
  override readonly name: string = 'StateFileError';
}

type Row = Record<string, unknown>;

function rows(data: Row, name: keyof StateFileV1, required: readonly string[]): Row[] {
  const list = data[name];
  if (!Array.isArray(list)) throw new StateFileError(`"${name}" must be an array`);
  list.forEach((row: unknown, i) => {
    if (!row || typeof row !== 'object' || Array.isArray(row))
      throw new StateFileError(`${name}[${i}] must be an object`);
    for (const field of required) {
      const value = (row as Row)[field];
      if (typeof value !== 'string' && typeof value !== 'number')
        throw new StateFileError(`${name}[${i}].${field} is missing`);
    }
  });
  return list as Row[];
}

/** Replaces `state`'s persistent part with the file's content; throws StateFileError on anything malformed. */
export function restoreState(state: EmulatorState, text: string): void {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(`not valid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new StateFileError('expected a JSON object');
  const d = data as Row;
  if (d.version !== VERSION)
    throw new StateFileError(`unsupported version ${JSON.stringify(d.version)} (expected ${VERSION})`);
  if (!Number.isInteger(d.sequence) || (d.sequence as number) < 0)
    throw new StateFileError('"sequence" must be a non-negative integer');
  if (typeof d.currentUserId !== 'string') throw new StateFileError('"currentUserId" must be a string');
  // Validate everything before touching the state, so a bad file changes nothing.
  const orders = rows(d, 'orders', [
    'mchId',
    'outTradeNo',
    'prepayId',
    'state',
    'totalFee',
    'signType',
  ]) as unknown as Order[];
  for (const o of orders)
    if (!(TRADE_STATES as readonly string[]).includes(o.state))
      throw new StateFileError(`order ${o.outTradeNo}: unknown state ${o.state}`);
  const prepays = rows(d, 'prepays', ['prepayId', 'orderKey', 'issuedAt']) as unknown as StateFileV1['prepays'];
  const orderKeys = new Set(orders.map((o) => `${o.mchId}:${o.outTradeNo}`));
  for (const p of prepays)
    if (!orderKeys.has(p.orderKey))
      throw new StateFileError(`prepay_id ${p.prepayId} names unknown order ${p.orderKey}`);
  const refunds = rows(d, 'refunds', [
    'mchId',
    'outTradeNo',
    'outRefundNo',
    'refundFee',
    'status',
  ]) as unknown as Refund[];
  const deliveries = rows(d, 'deliveries', ['id', 'kind', 'url', 'body', 'status']) as unknown as NotifyDelivery[];
  for (const n of deliveries)
    if (!Array.isArray(n.attempts)) throw new StateFileError(`notification ${n.id}: attempts must be an array`);
  const codes = rows(d, 'codes', ['code', 'appId', 'userId', 'scope', 'issuedAt']) as unknown as OauthCode[];
  const accessTokens = rows(d, 'accessTokens', [
    'token',
    'appId',
    'userId',
    'openid',
    'scope',
    'expiresAt',
  ]) as unknown as AccessToken[];
  const refreshTokens = rows(d, 'refreshTokens', [
    'token',
    'appId',
    'userId',
    'openid',
    'scope',
    'expiresAt',
  ]) as unknown as RefreshToken[];
  const jssdk = jssdkRows(d.jssdk);

  state.reset();
  state.sequence = d.sequence as number;
  state.currentUserId = d.currentUserId;
  for (const o of orders) state.orders.set(`${o.mchId}:${o.outTradeNo}`, o);
  for (const { prepayId, orderKey, issuedAt } of prepays) state.prepays.set(prepayId, { orderKey, issuedAt });
  for (const r of refunds) state.refunds.set(`${r.mchId}:${r.outRefundNo}`, r);
  for (const n of deliveries) state.deliveries.set(n.id, n);
  for (const c of codes) state.codes.set(c.code, c);
  for (const t of accessTokens) state.accessTokens.set(t.token, t);
  for (const t of refreshTokens) state.refreshTokens.set(t.token, t);
  for (const t of jssdk.tokens) state.jssdk.tokens.set(t.token, t);
  for (const t of jssdk.tickets) state.jssdk.tickets.set(t.ticket, t);
  for (const [appId, token] of jssdk.stableByApp) state.jssdk.stableByApp.set(appId, token);
  for (const [appId, token] of jssdk.classicByApp) state.jssdk.classicByApp.set(appId, token);
}

function jssdkRows(value: unknown): NonNullable<StateFileV1['jssdk']> {
  if (value === undefined) return { tokens: [], tickets: [], stableByApp: [], classicByApp: [] };
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new StateFileError('"jssdk" must be an object');
  const j = value as Row;
  const pairs = (name: string): [string, string][] => {
    const list = j[name];
    if (
      !Array.isArray(list) ||
      !list.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'string'))
    ) {
      throw new StateFileError(`jssdk.${name} must be an array of [appId, token] pairs`);
    }
    return list as [string, string][];
  };
  return {
    tokens: rows(j, 'tokens' as keyof StateFileV1, ['token', 'appId', 'kind', 'expiresAt']) as unknown as GlobalToken[],
    tickets: rows(j, 'tickets' as keyof StateFileV1, ['ticket', 'appId', 'expiresAt']) as unknown as JsapiTicket[],
    stableByApp: pairs('stableByApp'),
    classicByApp: pairs('classicByApp'),
  };
}

/** Debounced, atomic (write to a temp file, then rename) saving of the state to `path`. */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private written: string | undefined;

  constructor(
    readonly path: string,
    private readonly state: EmulatorState,
    private readonly log: (line: string) => void,
    private readonly debounceMs = 50,
  ) {}

  /** Loads the file if it exists; returns whether it did. A malformed file is an error, never overwritten. */
  load(): boolean {
    if (!existsSync(this.path)) return false;
    const text = readFileSync(this.path, 'utf8');
    try {
      restoreState(this.state, text);
    } catch (err) {
      throw new StateFileError(`emulator state file ${this.path}: ${(err as Error).message} (fix or delete it)`);
    }
    this.written = text;
    return true;
  }

  /** Something may have changed: save soon. */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.debounceMs);
  }

  /** Saves now if the content differs from what is on disk. A failed write is logged, not thrown. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const text = serializeState(this.state);
    if (text === this.written) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, this.path);
      this.written = text;
    } catch (err) {
      this.log(`could not save state to ${this.path}: ${(err as Error).message}`);
    }
  }
}
