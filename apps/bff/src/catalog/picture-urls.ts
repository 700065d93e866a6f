/** Where the product pictures kept in the repository are served, and how a stored URL names one. Pure. */

/** The URL prefix of the pictures in `catalog/pictures/`; the database stores `/api/pictures/<file>`. */
export const PICTURES_PATH = '/api/pictures/';

/** File names the picture route accepts: what the repository holds, nothing that could climb directories. */
const PICTURE_FILE = /^[a-z0-9]+(?:-[a-z0-9]+)*\.svg$/;

export const isPictureFile = (file: string): boolean => PICTURE_FILE.test(file);

/** The URL the database keeps for a picture file. */
export const pictureUrl = (file: string): string => `${PICTURES_PATH}${file}`;

/** The picture file a stored URL names, or null for anything else (data: URLs, other hosts). */
export function pictureFileOf(url: string): string | null {
  if (!url.startsWith(PICTURES_PATH)) return null;
  const file = url.slice(PICTURES_PATH.length);
  return isPictureFile(file) ? file : null;
}

/** A picture URL naming its content's version, so browsers may keep it for good: new content, new URL. */
export const versionedPictureUrl = (file: string, version: string): string =>
  `${pictureUrl(file)}?v=${encodeURIComponent(version)}`;
