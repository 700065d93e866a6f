import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import type { Component } from 'vue';
import { createMemoryHistory } from 'vue-router';
import { createAppRouter } from '../../src/router';

/** Mounts a view with a real router (memory history) and a fresh pinia. */
export async function mountView(view: Component, { path, props }: { path: string; props: Record<string, unknown> }) {
  const router = createAppRouter(createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(view, { props, global: { plugins: [createPinia(), router] } });
  await flushPromises();
  return { wrapper, router };
}
