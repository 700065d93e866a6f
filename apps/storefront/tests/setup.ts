import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, vi } from 'vitest';
import { resetJssdkForTests } from '../src/wechat/jssdk';

// A test that fails before its own unmount would otherwise leave its view mounted, still
// polling and listening for WeixinJSBridgeReady, and break the tests after it.
enableAutoUnmount(afterEach);

// The JS-SDK configuration is remembered per signed URL for the app's life; each test starts without one.
afterEach(() => resetJssdkForTests());

// vi.waitFor gives up after 1 s by default, which a busy machine can take to render a view: then the
// machine's load, not the code, decides the test. The limit only bounds a hang, so it is generous.
const waitFor = vi.waitFor.bind(vi);
vi.waitFor = ((callback, options) =>
  waitFor(callback, typeof options === 'number' ? options : { timeout: 30_000, ...options })) as typeof vi.waitFor;
