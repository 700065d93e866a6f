/** Vant's PullRefresh with its styles, as one module that pages with a first-load budget import lazily. */
import 'vant/es/pull-refresh/style/index';

export { PullRefresh } from 'vant';
