import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach } from 'vitest';

// A test that fails before its own unmount would otherwise leave its view mounted, still
// polling and listening for WeixinJSBridgeReady, and break the tests after it.
enableAutoUnmount(afterEach);
