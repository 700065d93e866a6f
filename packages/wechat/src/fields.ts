/** Strict readers for the string values of WeChat's flat XML. Pure. */

/**
 * An amount in fen or a count: digits only, no sign, no decimals, no leading zeros.
 * `'1.0'`, `''`, `'-1'`, `'01'` and `'1e3'` are all refused (null) rather than coerced.
 */
export function parseNonNegativeInt(value: string | undefined): number | null {
  if (value === undefined || !/^(0|[1-9][0-9]*)$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/** Reads `name` only when it is present and non-empty (WeChat omits empty fields). */
export function optionalField(fields: Readonly<Record<string, string>>, name: string): string | undefined {
  const value = fields[name];
  return value === undefined || value === '' ? undefined : value;
}
