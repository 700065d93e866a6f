import './zod-jitless';
import { startApp } from './boot';
import './styles/base.css';

// WeChat OAuth's `#wechat_redirect` fragment survives the redirect back; drop it.
if (location.hash === '#wechat_redirect')
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);

startApp('#app');
