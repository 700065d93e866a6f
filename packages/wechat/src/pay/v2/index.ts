/** Pay API v2 (XML, MD5 / HMAC-SHA256 signs): the client and its public types. */
export { PayClient } from './client';
export { PayV2Gateway } from './gateway';
export { parseRefundList } from './response';
export type * from './types';
export type { ClientTls } from './xml-transport';
