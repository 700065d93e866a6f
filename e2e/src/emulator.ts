/** Reads the emulator's state through its test-control API (what a developer sees in /console). */
export interface EmulatorOrder {
  outTradeNo: string;
  prepayId: string;
  codeUrl?: string;
  state: string;
  totalFee: number;
}
export interface EmulatorDelivery {
  id: string;
  outTradeNo: string;
  status: string;
  attempts: { outcome: string; httpStatus?: number; reply?: string }[];
}

export async function emulatorState(emulatorUrl: string): Promise<{ orders: EmulatorOrder[]; notifications: EmulatorDelivery[] }> {
  const res = await fetch(`${emulatorUrl}/__emulator/state`);
  if (!res.ok) throw new Error(`emulator state: HTTP ${res.status}`);
  return (await res.json()) as { orders: EmulatorOrder[]; notifications: EmulatorDelivery[] };
}

export async function emulatorOrder(emulatorUrl: string, outTradeNo: string): Promise<EmulatorOrder> {
  const order = (await emulatorState(emulatorUrl)).orders.find((o) => o.outTradeNo === outTradeNo);
  if (!order) throw new Error(`emulator has no order ${outTradeNo}`);
  return order;
}
