/** Built-in WeChat test users and their deterministic per-app identities. */
import { createHash } from 'node:crypto';
import { escapeHtml } from './http/html';

export interface TestUser {
  id: string;
  nickname: string;
  /** Avatar background colour (the SVG is generated). */
  color: string;
}

export const TEST_USERS: readonly TestUser[] = [
  { id: 'zhangsan', nickname: '张三', color: '#07c160' },
  { id: 'xiaoli', nickname: '小李🐼', color: '#fa9d3b' },
  { id: 'wangwu', nickname: 'Wang Wu', color: '#10aeff' },
  // Markup in a nickname is legal in WeChat; this user catches apps that render nicknames unescaped.
  { id: 'tricky', nickname: '<b>Tom & "Jerry"</b>', color: '#e64340' },
];

export function findUser(id: string): TestUser | undefined {
  return TEST_USERS.find((u) => u.id === id);
}

function b64url(input: string): string {
  return createHash('sha256').update(input, 'utf8').digest('base64url');
}

/**
 * `o` + 27 base64url characters, stable per (appid, user). Like WeChat, the first few
 * characters depend on the app only, so openids of one app share a prefix.
 */
export function openidFor(appId: string, userId: string): string {
  return `o${b64url(`app:${appId}`).slice(0, 5)}${b64url(`openid:${appId}:${userId}`).slice(0, 22)}`;
}

/** Same shape as an openid but independent of the app (one per user across an Open Platform account). */
export function unionidFor(userId: string): string {
  return `o${b64url(`unionid:${userId}`).slice(0, 27)}`;
}

export function avatarPath(userId: string, size = 132): string {
  return `/__emulator/avatar/${encodeURIComponent(userId)}/${size}`;
}

export const AVATAR_SIZES = [0, 46, 64, 96, 132] as const;

/** Square avatar with the nickname's first character; escaped because nicknames may hold markup. */
export function avatarSvg(user: TestUser, size: number): string {
  const px = size === 0 ? 640 : size;
  const initial = Array.from(user.nickname.replace(/<[^>]*>/g, ''))[0] ?? '?';
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 100 100">` +
    `<rect width="100" height="100" fill="${escapeHtml(user.color)}"/>` +
    `<text x="50" y="50" dy=".35em" text-anchor="middle" font-size="48" fill="#fff" font-family="sans-serif">${escapeHtml(initial)}</text></svg>`
  );
}
