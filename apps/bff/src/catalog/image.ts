/** Product pictures kept inline as `data:` URLs (the seeded tiles), decoded to bytes for a URL others can fetch. Pure. */

const DATA_IMAGE = /^data:(image\/(?:svg\+xml|png|jpeg|webp|gif))((?:;[a-z-]+=[^;,]*)*)(;base64)?,(.*)$/s;

/** The picture's media type (with its parameters) and bytes, or null when `url` is not an inline picture. */
export function decodeDataImage(url: string): { contentType: string; body: Buffer } | null {
  const m = DATA_IMAGE.exec(url);
  if (!m) return null;
  const [, type, params, base64, data] = m as unknown as [string, string, string, string | undefined, string];
  try {
    const body = base64 ? Buffer.from(data, 'base64') : Buffer.from(decodeURIComponent(data), 'utf8');
    return { contentType: `${type}${params}`, body };
  } catch {
    return null;
  }
}
