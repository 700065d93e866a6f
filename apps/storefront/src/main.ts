import './zod-jitless';
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { createAppRouter } from './router';
import './styles/base.css';

// WeChat OAuth's `#wechat_redirect` fragment survives the redirect back; drop it.
if (location.hash === '#wechat_redirect')
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);

createApp(App).use(createPinia()).use(createAppRouter()).mount('#app');
