/** WeChat Pay API v3: pure signing, verification, decryption and formats, plus the HTTP client. */
export * from './errors';
export * from './rsa';
export * from './authorization';
export * from './signature';
export * from './keyring';
export * from './aead';
export * from './certificates';
export * from './json';
export * from './jsapi';
export * from './notify';
export * from './gateway';
export * from './trade-bill';
export * from './api-client';
export * from './certificate-cache';
export * from './credentials';
