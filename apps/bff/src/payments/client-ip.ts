/** spbill_create_ip wants the shopper's IP as a plain IPv4/IPv6 string. */
export function clientIp(ip: string): string {
  const plain = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  return plain || '127.0.0.1';
}
