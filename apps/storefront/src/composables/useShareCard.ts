/** Sets the WeChat share cards (chat and timeline) of the current page once its content is known. */
import { watch, type Ref } from 'vue';
import { configureJssdk } from '../wechat/jssdk';
import type { WxShareCard } from '../wechat/jssdk-types';

export function useShareCard(card: Ref<WxShareCard | null>): void {
  watch(
    card,
    async (value) => {
      if (!value) return;
      const wx = await configureJssdk();
      // Outside WeChat, or WeChat refused the signature twice: the page simply has no card.
      if (!wx || card.value !== value) return;
      wx.updateAppMessageShareData(value);
      const { desc: _desc, ...timeline } = value;
      wx.updateTimelineShareData(timeline);
    },
    { immediate: true },
  );
}
