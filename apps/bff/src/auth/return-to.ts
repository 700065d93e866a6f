/**
 * Open-redirect guard: only same-site absolute paths survive. Browsers treat `//host` and
 * `/\host` as protocol-relative URLs, and control characters can smuggle either form.
 */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return '/';
  if (!value.startsWith('/') || value.startsWith('//')) return '/';
  if (value.includes('\\')) return '/';
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) return '/';
  if (/^\/[^/?#]*:/.test(value) && /^[a-z][a-z0-9+.-]*:/i.test(value.slice(1))) return '/';
  // Final check with the URL parser: the result must stay on a dummy origin.
  try {
    const parsed = new URL(value, 'http://same.invalid');
    if (parsed.origin !== 'http://same.invalid') return '/';
    // Dot segments collapse during parsing: `/..//evil.com` and `/%2e//evil.com` come out as
    // `//evil.com`, so the normalised path must pass the protocol-relative check again.
    if (parsed.pathname.startsWith('//')) return '/';
    return parsed.pathname + parsed.search + parsed.hash;
  } catch {
    return '/';
  }
}

/** Appends a flag such as `login=declined` to a same-site path. */
export function withFlag(path: string, key: string, value: string): string {
  const hashIndex = path.indexOf('#');
  const base = hashIndex >= 0 ? path.slice(0, hashIndex) : path;
  const hash = hashIndex >= 0 ? path.slice(hashIndex) : '';
  return `${base}${base.includes('?') ? '&' : '?'}${encodeURIComponent(key)}=${encodeURIComponent(value)}${hash}`;
}
