/**
 * spbill_create_ip: WeChat wants the shopper's address as a plain IPv4 or IPv6 string
 * (String(64)) and refuses the whole unifiedorder otherwise.
 */
import { isIP } from 'node:net';

/** Sent when no candidate is an address at all (an unconnected socket, a garbled proxy header). */
const FALLBACK_IP = '127.0.0.1';

const MAPPED_DOTTED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const MAPPED_HEX = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i;
const V4_WITH_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;
const BRACKETED_V6 = /^\[([^\]]+)\](?::\d{1,5})?$/;

/**
 * One address as WeChat accepts it, or null: IPv4-mapped IPv6 becomes IPv4 (a dual-stack socket
 * reports `::ffff:1.2.3.4`), ports and brackets some proxies add are dropped, and so is an IPv6
 * zone id, which only means something on our own host.
 */
export function normalizeIp(raw: string | undefined): string | null {
  let ip = raw?.trim() ?? '';
  ip = BRACKETED_V6.exec(ip)?.[1] ?? V4_WITH_PORT.exec(ip)?.[1] ?? ip;
  const zone = ip.indexOf('%');
  if (zone > 0 && ip.includes(':')) ip = ip.slice(0, zone);
  const dotted = MAPPED_DOTTED.exec(ip);
  if (dotted) ip = dotted[1]!;
  const hex = MAPPED_HEX.exec(ip);
  if (hex) {
    const hi = parseInt(hex[1]!, 16);
    const lo = parseInt(hex[2]!, 16);
    ip = [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return isIP(ip) !== 0 && ip.length <= 64 ? ip : null;
}

/**
 * The first candidate that is a usable address: pass the request's client IP (which honours
 * X-Forwarded-For only when TRUST_PROXY says so) and then the socket's peer address.
 */
export function clientIp(...candidates: (string | undefined)[]): string {
  for (const candidate of candidates) {
    const ip = normalizeIp(candidate);
    if (ip) return ip;
  }
  return FALLBACK_IP;
}
