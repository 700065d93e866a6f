/** The JSON API's namespace: never the SPA, always ApiError bodies. */
export const isApiPath = (p: string): boolean => p === '/api' || p.startsWith('/api/');
