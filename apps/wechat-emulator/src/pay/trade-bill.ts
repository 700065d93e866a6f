/**
 * The daily trade bill (对账单) as WeChat writes it: the 27-column ALL layout, every detail field prefixed
 * with a back-tick, yuan with two decimals, 手续费 at 0.6 % with five decimals, then the summary. Pure.
 */
import { unitsToYuan } from '@wxpay-shop/wechat';

const HEADER = [
  '交易时间',
  '公众账号ID',
  '商户号',
  '特约商户号',
  '设备号',
  '微信订单号',
  '商户订单号',
  '用户标识',
  '交易类型',
  '交易状态',
  '付款银行',
  '货币种类',
  '应结订单金额',
  '代金券金额',
  '微信退款单号',
  '商户退款单号',
  '退款金额',
  '充值券退款金额',
  '退款类型',
  '退款状态',
  '商品名称',
  '商户数据包',
  '手续费',
  '费率',
  '订单金额',
  '申请退款金额',
  '费率备注',
].join(',');
const SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

/** 0.6 % of a fen is 6 thousandths of a fen: the fee in the bill's five decimals is exact, nothing to round. */
const FEE_MILLI_FEN_PER_FEN = 6;
const FEE_RATE = '0.60%';

/** One detail row, in the emulator's terms; the renderer turns it into WeChat's text. */
export interface BillEntry {
  kind: 'payment' | 'refund';
  /** `yyyy-MM-dd HH:mm:ss`, Beijing time. */
  time: string;
  appId: string;
  mchId: string;
  deviceInfo?: string | undefined;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeType: string;
  body: string;
  attach?: string | undefined;
  /** Payment: what was paid. Refund: the refunded amount. */
  amountFen: number;
  refundId?: string;
  outRefundNo?: string;
}

/** Amounts in the bill carry a sign only on fees; ours are never negative otherwise. */
const yuan = (fen: number) => unitsToYuan(fen, 2);
const feeYuan = (milliFen: number) => unitsToYuan(milliFen, 5);

/**
 * The bill has no quoting: a comma in a free-text field would shift every column after it. The emulator
 * writes it full-width (what shows in WeChat's bills for such names), never a bare comma.
 */
const text = (value: string | undefined) => (value ?? '').replace(/,/g, '，').replace(/[\r\n`]/g, ' ');

function row(entry: BillEntry): {
  line: string;
  settlementFen: number;
  refundFen: number;
  feeMilliFen: number;
  totalFen: number;
} {
  const isRefund = entry.kind === 'refund';
  const settlementFen = isRefund ? 0 : entry.amountFen;
  const refundFen = isRefund ? entry.amountFen : 0;
  const feeMilliFen = (isRefund ? -1 : 1) * entry.amountFen * FEE_MILLI_FEN_PER_FEN;
  const fields = [
    entry.time,
    entry.appId,
    entry.mchId,
    '0',
    text(entry.deviceInfo),
    entry.transactionId,
    entry.outTradeNo,
    entry.openid,
    entry.tradeType,
    isRefund ? 'REFUND' : 'SUCCESS',
    'OTHERS',
    'CNY',
    yuan(settlementFen),
    '0.00',
    isRefund ? entry.refundId! : '0',
    isRefund ? entry.outRefundNo! : '0',
    yuan(refundFen),
    '0.00',
    isRefund ? 'ORIGINAL' : '',
    isRefund ? 'SUCCESS' : '',
    text(entry.body),
    text(entry.attach),
    feeYuan(feeMilliFen),
    FEE_RATE,
    yuan(settlementFen),
    yuan(refundFen),
    '',
  ];
  return {
    line: fields.map((f) => `\`${f}`).join(','),
    settlementFen,
    refundFen,
    feeMilliFen,
    totalFen: settlementFen,
  };
}

/** The bill's text, rows in time order, lines ended by CRLF as WeChat's are. */
export function renderTradeBill(entries: BillEntry[]): string {
  const rows = [...entries].sort((a, b) => a.time.localeCompare(b.time)).map(row);
  const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((total, r) => total + pick(r), 0);
  const refundTotal = yuan(sum((r) => r.refundFen));
  const summary = [
    String(rows.length),
    yuan(sum((r) => r.settlementFen)),
    refundTotal,
    '0.00',
    feeYuan(sum((r) => r.feeMilliFen)),
    yuan(sum((r) => r.totalFen)),
    refundTotal,
  ];
  return (
    [HEADER, ...rows.map((r) => r.line), SUMMARY_HEADER, summary.map((f) => `\`${f}`).join(',')].join('\r\n') + '\r\n'
  );
}
