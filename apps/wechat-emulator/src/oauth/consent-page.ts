/** The snsapi_userinfo consent page: WeChat-like, Chinese, with a test-user picker. */
import type { MerchantConfig } from '../config';
import { html, mobilePage } from '../http/html';
import type { ConsentRequest } from './grants';
import { TEST_USERS, avatarPath } from '../users';

export function consentPage(
  request: ConsentRequest,
  merchant: MerchantConfig,
  merchantName: string,
  currentUserId: string,
): string {
  const users = TEST_USERS.map(
    (u) =>
      html`<label class="user"
        ><input type="radio" name="userId" value="${u.id}" ${u.id === currentUserId ? html` checked` : ''} />
        <img src="${avatarPath(u.id, 64)}" alt="" width="40" height="40" /><span>${u.nickname}</span></label
      >`,
  );
  return mobilePage(
    '微信授权登录',
    html`<div class="app">
        <div class="logo">${Array.from(merchantName)[0] ?? '商'}</div>
        <h2>${merchantName}</h2>
        <p class="wx-muted">AppID ${merchant.appId}</p>
      </div>
      <p class="ask">申请获取以下权限：</p>
      <p class="perm">获得你的公开信息（昵称、头像等）</p>
      <form method="post" action="/__emulator/oauth/consent">
        <input type="hidden" name="request" value="${request.id}" />
        <fieldset>
          <legend class="wx-muted">选择测试用户（模拟器）</legend>
          ${users}
        </fieldset>
        <button class="wx-btn wx-btn-primary" type="submit" name="decision" value="allow" data-testid="wx-oauth-allow">
          允许
        </button>
        <button class="wx-btn wx-btn-default" type="submit" name="decision" value="deny" data-testid="wx-oauth-deny">
          拒绝
        </button>
      </form>`,
    `.app{text-align:center;padding:16px 0}.logo{width:56px;height:56px;border-radius:12px;background:#07c160;color:#fff;font-size:28px;line-height:56px;margin:0 auto}
.app h2{font-size:18px;margin:12px 0 4px}.ask{margin:24px 0 8px;font-weight:500}.perm{padding:12px 0;border-top:1px solid #ddd;border-bottom:1px solid #ddd;color:#555}
fieldset{border:0;padding:0;margin:16px 0}.user{display:flex;align-items:center;gap:12px;background:#fff;padding:10px 12px;border-radius:8px;margin-top:8px}
.user img{border-radius:4px}`,
  );
}
