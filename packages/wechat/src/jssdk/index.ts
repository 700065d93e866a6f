/** JS-SDK support: the pure `wx.config` signature, and the client for the credentials behind it. */
export * from './signature';
export * from './token-client';
