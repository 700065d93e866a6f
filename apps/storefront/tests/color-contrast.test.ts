// @vitest-environment node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const css = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/styles/base.css'), 'utf8');

function colorVar(name: string): string {
  const match = new RegExp(`--${name}:\\s*(#[0-9a-f]{6});`, 'i').exec(css);
  if (!match) throw new Error(`--${name} is not a #rrggbb colour in base.css`);
  return match[1]!;
}

/** WCAG 2 relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const WHITE = '#ffffff';

describe('colour contrast (WCAG AA 4.5:1 for body text)', () => {
  it('white labels on primary buttons and on the cart badge', () => {
    const button = /\n\.btn \{[^}]*\sbackground: var\(--([\w-]+)\)/.exec(css);
    expect(button).not.toBeNull();
    expect(contrast(WHITE, colorVar(button![1]!))).toBeGreaterThanOrEqual(4.5);
    const badge = /\n\.badge \{[^}]*\sbackground: var\(--([\w-]+)\)/.exec(css);
    expect(badge).not.toBeNull();
    expect(contrast(WHITE, colorVar(badge![1]!))).toBeGreaterThanOrEqual(4.5);
  });

  it.each(['green-dark', 'red', 'orange', 'muted', 'text'])('--%s text on cards and on the page background', (name) => {
    expect(contrast(colorVar(name), WHITE)).toBeGreaterThanOrEqual(4.5);
    expect(contrast(colorVar(name), colorVar('bg'))).toBeGreaterThanOrEqual(4.5);
  });

  it('the focus ring stands out from white (3:1 for non-text)', () => {
    const ring = /:focus-visible[^{]*\{\s*outline:\s*\d+px solid var\(--([\w-]+)\)/.exec(css);
    expect(ring).not.toBeNull();
    expect(contrast(colorVar(ring![1]!), WHITE)).toBeGreaterThanOrEqual(3);
  });
});
