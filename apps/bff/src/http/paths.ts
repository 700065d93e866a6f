/**
 * The JSON API's namespace: never the SPA, always ApiError bodies and `no-store`. koa-router matches
 * routes case-insensitively (its default, used by every router here), so `/API/me` reaches the same
 * handler as `/api/me`; this check must agree, or that answer would go out cacheable.
 */
export const isApiPath = (p: string): boolean => {
  const path = p.toLowerCase();
  return path === '/api' || path.startsWith('/api/');
};
