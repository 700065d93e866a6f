/**
 * The floor the storefront's first load is measured against: the same stack (Vue 3, vue-router,
 * pinia, this Vite config) with one page and one store, and nothing of the shop.
 */
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import { createRouter, createWebHistory } from 'vue-router';
import App from './App.vue';
import HomeView from './HomeView.vue';

const router = createRouter({ history: createWebHistory(), routes: [{ path: '/', component: HomeView }] });
createApp(App).use(createPinia()).use(router).mount('#app');
