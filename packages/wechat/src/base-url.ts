/** Joins a configured base URL (trailing slashes tolerated) and an absolute API path. Internal. */
export function endpointUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
