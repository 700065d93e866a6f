export * from './errors';
export * from './sign';
export * from './xml';
export * from './nonce';
export * from './jsapi';
export * from './refund-crypto';
