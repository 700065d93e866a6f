import { routes, type Me } from '@wxpay-shop/contract';
import { meAnswer } from './first-page-answers';
import { apiRequest, type ResponseSchema } from './http';

export type LoginScope = 'snsapi_base' | 'snsapi_userinfo';

export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return apiRequest(routes.me, meAnswer, { signal });
}

/** Full-page URL of the BFF's WeChat OAuth entry; it sends the shopper back to `returnTo`. */
export function loginUrl(returnTo: string, scope?: LoginScope): string {
  const scopeParam = scope ? `scope=${scope}&` : '';
  return `${routes.login}?${scopeParam}returnTo=${encodeURIComponent(returnTo)}`;
}

/** The BFF answers 204; any body is irrelevant, only the status matters. */
const ignoreBody: ResponseSchema<void> = { safeParse: () => ({ success: true, data: undefined }) };

/** Ends the BFF session; rejects (with the BFF's message) if it did not. */
export function logout(): Promise<void> {
  return apiRequest(routes.logout, ignoreBody, { method: 'POST' });
}
