import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach } from 'vitest';
import { resetJssdkForTests } from '../src/wechat/jssdk';

// A test that fails before its own unmount would otherwise leave its view mounted, still
// polling and listening for WeixinJSBridgeReady, and break the tests after it.
enableAutoUnmount(afterEach);

// The JS-SDK configuration is remembered per signed URL for the app's life; each test starts without one.
afterEach(() => resetJssdkForTests());
