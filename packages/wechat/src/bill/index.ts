/** WeChat Pay's daily bills (对账单): parsing, and yuan ↔ fen. */
export * from './trade-bill';
export * from './yuan';
