/** What web authorization hands out and remembers: codes, tokens and pending consent requests. */
import type { OAuthScope } from '@wxpay-shop/wechat';

export interface OauthCode {
  code: string;
  appId: string;
  userId: string;
  scope: OAuthScope;
  issuedAt: number;
  used: boolean;
}

/** An issued web-authorization token; access and refresh tokens differ only in lifetime. */
export interface IssuedToken {
  token: string;
  appId: string;
  userId: string;
  openid: string;
  scope: OAuthScope;
  expiresAt: number;
}
export type AccessToken = IssuedToken;
export type RefreshToken = IssuedToken;

/** A snsapi_userinfo request waiting for the user's 允许/拒绝. */
export interface ConsentRequest {
  id: string;
  appId: string;
  redirectUri: string;
  scope: OAuthScope;
  state: string;
  createdAt: number;
}
