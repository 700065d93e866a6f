import type { DOMWrapper, VueWrapper } from '@vue/test-utils';
import { expect } from 'vitest';

/** What screen readers treat as a live region (role="alert" and "status" imply aria-live). */
const LIVE = '[aria-live]:not([aria-live="off"]), [role="alert"], [role="status"], [role="log"]';

/** Every live region shown, failing if one sits inside another: some screen readers then read its text twice. */
export function liveRegions(wrapper: VueWrapper): DOMWrapper<Element>[] {
  const regions = wrapper.findAll(LIVE);
  const nested = regions.filter((region) => region.element.parentElement?.closest(LIVE));
  expect(
    nested.map((region) => region.html()),
    'live regions nested in another',
  ).toEqual([]);
  return regions;
}

/** The one live region that announces the element matching `selector`. */
export function announcerOf(wrapper: VueWrapper, selector: string): DOMWrapper<Element> {
  const target = wrapper.get(selector).element;
  const region = liveRegions(wrapper).find((candidate) => candidate.element.contains(target));
  expect(region, `${selector} is in no live region, so it is not announced`).toBeDefined();
  return region!;
}
