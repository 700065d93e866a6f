/** The operator console: Vue 3, vue-router, pinia, Naive UI. */
import './zod-jitless';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { router } from './router';

createApp(App).use(createPinia()).use(router).mount('#app');
