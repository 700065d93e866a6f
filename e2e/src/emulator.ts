/** Reads the emulator's state through its test-control API (what a developer sees in /console). */
export interface EmulatorOrder {
  outTradeNo: string;
  prepayId: string;
  codeUrl?: string;
  state: string;
  totalFee: number;
  transactionId?: string;
  /** The API that created it (v2 / v3), JSAPI / NATIVE / MWEB, and the page's sign type (RSA on v3). */
  api?: string;
  tradeType: string;
  signType: string;
}
export interface EmulatorDelivery {
  id: string;
  outTradeNo: string;
  status: string;
  /** `at`: when the attempt was sent (epoch ms). */
  attempts: { at: number; outcome: string; httpStatus?: number; reply?: string }[];
}
export interface EmulatorFault {
  target: string;
  kind: string;
  /** Uses left before the fault is spent. */
  remaining: number;
}
export interface EmulatorState {
  orders: EmulatorOrder[];
  notifications: EmulatorDelivery[];
  faults: EmulatorFault[];
}

export async function emulatorState(emulatorUrl: string): Promise<EmulatorState> {
  const res = await fetch(`${emulatorUrl}/__emulator/state`);
  if (!res.ok) throw new Error(`emulator state: HTTP ${res.status}`);
  return (await res.json()) as EmulatorState;
}

export async function emulatorOrder(emulatorUrl: string, outTradeNo: string): Promise<EmulatorOrder> {
  const order = (await emulatorState(emulatorUrl)).orders.find((o) => o.outTradeNo === outTradeNo);
  if (!order) throw new Error(`emulator has no order ${outTradeNo}`);
  return order;
}
