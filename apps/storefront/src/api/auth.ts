import { MeSchema, routes, type Me } from '@wxpay-shop/contract';
import { apiRequest } from './http';

export function fetchMe(signal?: AbortSignal): Promise<Me> {
  return apiRequest(routes.me, MeSchema, { signal });
}

/** Full-page URL of the BFF's WeChat OAuth entry; it sends the shopper back to `returnTo`. */
export function loginUrl(returnTo: string, scope?: 'snsapi_base' | 'snsapi_userinfo'): string {
  const scopeParam = scope ? `&scope=${scope}` : '';
  return `${routes.login}?returnTo=${encodeURIComponent(returnTo)}${scopeParam}`;
}

export async function logout(): Promise<void> {
  await fetch(routes.logout, { method: 'POST', credentials: 'same-origin' });
}
