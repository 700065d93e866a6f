import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { defineComponent, h, type Component } from 'vue';
import { RouterView, createMemoryHistory } from 'vue-router';
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

/**
 * Mounts the router's own outlet at `path`, so params reach views the way they do in the app.
 * `attach`: in the document, for tests of focus.
 */
export async function mountRoute(path: string, { attach = false } = {}) {
  const router = createAppRouter(createMemoryHistory());
  await router.push(path);
  await router.isReady();
  const wrapper = mount(defineComponent({ render: () => h(RouterView) }), {
    global: { plugins: [createPinia(), router] },
    attachTo: attach ? document.body : undefined,
  });
  await flushPromises();
  return { wrapper, router };
}
