/**
 * Parses WeChat Pay's daily trade bill (交易账单, v2 `downloadbill` and v3 `tradebill`, same text):
 * a header line of column names, detail rows whose every field is prefixed with a back-tick (so
 * spreadsheets keep long numbers as text), then a summary header and one summary row. Amounts are yuan.
 * Columns are found by their Chinese names, so bills of the 24- and 27-column layouts both read.
 */
import { WechatError } from '../errors';
import { yuanToUnits } from './yuan';

/**
 * A bill we cannot read: WeChat's answer is unusable (source 'upstream', outcome unknown), so the caller
 * must not reconcile against a partial reading; download the bill again or reconcile by query.
 */
export class WechatBillError extends WechatError {
  override readonly name = 'WechatBillError';
  constructor(
    message: string,
    /** 1-based line of the bill the problem is on (0 when it is about the whole bill). */
    readonly line: number,
  ) {
    super(message, 'unknown', 'upstream');
  }
}

/** One detail row: a payment (tradeState SUCCESS, REVOKED…) or a refund (tradeState REFUND). */
export interface TradeBillRow {
  /** Beijing time as the bill writes it, `yyyy-MM-dd HH:mm:ss`. */
  tradeTime: string;
  appId: string;
  mchId: string;
  transactionId: string;
  outTradeNo: string;
  openid: string;
  tradeType: string;
  tradeState: string;
  bankType: string;
  currency: string;
  /** 应结订单金额 (or 总金额 in the older layout): what the payer paid, coupons excluded. */
  settlementFen: number;
  couponFen: number;
  refundId: string;
  outRefundNo: string;
  refundFen: number;
  refundStatus: string;
  body: string;
  attach: string;
  /** 手续费 has five decimals of yuan: thousandths of a fen. */
  feeMilliFen: number;
  feeRate: string;
  /** 订单金额 where the bill has it, else the settlement amount. */
  totalFen: number;
}

export interface TradeBillSummary {
  count: number;
  settlementTotalFen: number;
  refundTotalFen: number;
  feeTotalMilliFen: number;
}

export interface TradeBill {
  rows: TradeBillRow[];
  summary: TradeBillSummary;
}

const SUMMARY_MARKER = '总交易单数';
const FEE_DECIMALS = 5;

/** Column names per field; the first name a bill has wins (layouts differ in naming). */
const COLUMNS = {
  tradeTime: ['交易时间'],
  appId: ['公众账号ID', '服务商的APPID'],
  mchId: ['商户号'],
  transactionId: ['微信订单号'],
  outTradeNo: ['商户订单号'],
  openid: ['用户标识'],
  tradeType: ['交易类型'],
  tradeState: ['交易状态'],
  bankType: ['付款银行'],
  currency: ['货币种类'],
  settlement: ['应结订单金额', '总金额'],
  coupon: ['代金券金额', '代金券或立减优惠金额'],
  refundId: ['微信退款单号'],
  outRefundNo: ['商户退款单号'],
  refund: ['退款金额'],
  refundStatus: ['退款状态'],
  body: ['商品名称'],
  attach: ['商户数据包'],
  fee: ['手续费'],
  feeRate: ['费率'],
  total: ['订单金额'],
} as const;
const OPTIONAL: ReadonlySet<keyof typeof COLUMNS> = new Set([
  'total',
  'coupon',
  'refundId',
  'outRefundNo',
  'refund',
  'refundStatus',
  'attach',
]);

/** Splits a row into its fields, removing each field's leading back-tick. */
function fields(line: string, lineNo: number, backticks: boolean): string[] {
  return line.split(',').map((field) => {
    if (!backticks) return field.trim();
    if (!field.startsWith('`'))
      throw new WechatBillError(`field without its back-tick: ${JSON.stringify(field.slice(0, 40))}`, lineNo);
    return field.slice(1);
  });
}

export function parseTradeBill(text: string): TradeBill {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  if (lines.length < 3)
    throw new WechatBillError('a bill has a header, a summary header and a summary row at least', 0);
  const header = fields(lines[0]!, 1, false);
  const index = {} as Record<keyof typeof COLUMNS, number>;
  for (const [key, names] of Object.entries(COLUMNS) as [keyof typeof COLUMNS, readonly string[]][]) {
    const at = names.map((name) => header.indexOf(name)).find((i) => i >= 0) ?? -1;
    if (at < 0 && !OPTIONAL.has(key)) throw new WechatBillError(`header lacks the column ${names[0]}`, 1);
    index[key] = at;
  }
  const summaryAt = lines.findIndex((line) => line.startsWith(SUMMARY_MARKER));
  if (summaryAt < 1 || summaryAt !== lines.length - 2)
    throw new WechatBillError('the summary header must come right before the last line', 0);

  const rows = lines.slice(1, summaryAt).map((line, i) => readRow(line, i + 2, header.length, index));
  return { rows, summary: readSummary(lines[summaryAt]!, lines[summaryAt + 1]!, summaryAt + 1) };
}

function readRow(
  line: string,
  lineNo: number,
  width: number,
  index: Record<keyof typeof COLUMNS, number>,
): TradeBillRow {
  const values = fields(line, lineNo, true);
  if (values.length !== width)
    throw new WechatBillError(`${values.length} fields where the header has ${width}`, lineNo);
  const text = (key: keyof typeof COLUMNS) => (index[key] >= 0 ? values[index[key]]! : '');
  const money = (key: keyof typeof COLUMNS, decimals = 2): number => {
    if (index[key] < 0) return 0;
    const raw = text(key);
    // Refund ids and amounts are `0` on payment rows of some layouts.
    const units = raw === '' ? 0 : yuanToUnits(raw, decimals);
    if (units === undefined)
      throw new WechatBillError(`${COLUMNS[key][0]} is not an amount in yuan: ${JSON.stringify(raw)}`, lineNo);
    return units;
  };
  const settlementFen = money('settlement');
  const blankIfZero = (value: string) => (value === '0' ? '' : value);
  return {
    tradeTime: text('tradeTime'),
    appId: text('appId'),
    mchId: text('mchId'),
    transactionId: text('transactionId'),
    outTradeNo: text('outTradeNo'),
    openid: text('openid'),
    tradeType: text('tradeType'),
    tradeState: text('tradeState'),
    bankType: text('bankType'),
    currency: text('currency'),
    settlementFen,
    couponFen: money('coupon'),
    refundId: blankIfZero(text('refundId')),
    outRefundNo: blankIfZero(text('outRefundNo')),
    refundFen: money('refund'),
    refundStatus: text('refundStatus'),
    body: text('body'),
    attach: text('attach'),
    feeMilliFen: money('fee', FEE_DECIMALS),
    feeRate: text('feeRate'),
    totalFen: index.total >= 0 ? money('total') : settlementFen,
  };
}

function readSummary(headerLine: string, valuesLine: string, lineNo: number): TradeBillSummary {
  const names = fields(headerLine, lineNo, false);
  const values = fields(valuesLine, lineNo + 1, true);
  if (values.length !== names.length)
    throw new WechatBillError('the summary row does not match its header', lineNo + 1);
  /** The first of `aliases` the summary has (the older layout names its totals differently). */
  const at = (aliases: readonly string[], decimals = 2): number => {
    const i = aliases.map((name) => names.indexOf(name)).find((found) => found >= 0) ?? -1;
    if (i < 0) throw new WechatBillError(`summary lacks ${aliases[0]}`, lineNo);
    const units = yuanToUnits(values[i]!, decimals);
    if (units === undefined)
      throw new WechatBillError(`${aliases[0]} is not a number: ${JSON.stringify(values[i])}`, lineNo + 1);
    return units;
  };
  return {
    count: at([SUMMARY_MARKER], 0),
    settlementTotalFen: at(['应结订单总金额', '总交易额']),
    refundTotalFen: at(['退款总金额', '总退款金额']),
    feeTotalMilliFen: at(['手续费总金额'], FEE_DECIMALS),
  };
}
