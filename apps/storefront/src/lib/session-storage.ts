/** This tab's sessionStorage, or undefined where the browser refuses it (storage disabled): callers do without. */
export function sessionStore(): Storage | undefined {
  try {
    return sessionStorage;
  } catch {
    return undefined;
  }
}
