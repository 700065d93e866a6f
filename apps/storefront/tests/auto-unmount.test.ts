import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { defineComponent, h, onUnmounted } from 'vue';

let unmounted = 0;
const Probe = defineComponent({
  setup() {
    onUnmounted(() => {
      unmounted += 1;
    });
    return () => h('p', 'probe');
  },
});

// The two tests run in order: the first stands for a test that failed before unmounting.
describe('test setup', () => {
  it('leaves a mounted view behind, as a test failing mid-way would', () => {
    mount(Probe);
    expect(unmounted).toBe(0);
  });

  it('finds the previous test’s view unmounted', () => {
    expect(unmounted).toBe(1);
  });
});
