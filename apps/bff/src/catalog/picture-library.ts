/** The product pictures kept as SVG files in `pictures/`, read once at start-up with their share PNGs. */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { pictureFileOf, versionedPictureUrl, isPictureFile } from './picture-urls';
import { renderSharePng } from './share-image';

/**
 * Next to this module in the sources, next to dist/main.js in the build (build.mjs copies them), so
 * one relative URL finds them in both.
 */
const PICTURES_DIR = new URL('./pictures/', import.meta.url);

export interface Picture {
  svg: Buffer;
  /** A hash of the content: part of the picture's URL, so a changed picture is never served stale. */
  version: string;
  /** The share card's PNG (share-image.ts). */
  sharePng: Buffer;
}

export class PictureLibrary {
  private constructor(private readonly pictures: ReadonlyMap<string, Picture>) {}

  /** Reads every picture and renders its share PNG; a picture resvg cannot read fails start-up. */
  static async load(dir: URL = PICTURES_DIR): Promise<PictureLibrary> {
    const files = (await readdir(dir)).filter(isPictureFile).sort();
    const entries = await Promise.all(
      files.map(async (file): Promise<[string, Picture]> => {
        const svg = await readFile(new URL(file, dir));
        const version = createHash('sha256').update(svg).digest('base64url').slice(0, 12);
        return [file, { svg, version, sharePng: await renderSharePng(svg) }];
      }),
    );
    return new PictureLibrary(new Map(entries));
  }

  get(file: string): Picture | undefined {
    return this.pictures.get(file);
  }

  /** The picture a stored URL names, if it is one of ours. */
  ofUrl(url: string): Picture | undefined {
    const file = pictureFileOf(url);
    return file === null ? undefined : this.pictures.get(file);
  }

  /** A stored URL as clients get it: ours carry their version; anything else is passed through. */
  publicUrl(url: string): string {
    const file = pictureFileOf(url);
    const picture = file === null ? undefined : this.pictures.get(file);
    return file !== null && picture ? versionedPictureUrl(file, picture.version) : url;
  }
}
