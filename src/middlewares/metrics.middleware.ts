// The access rule for GET /metrics: loopback or configured networks, or the METRICS_TOKEN bearer
// token. (Per-request observations are taken by request-observer.ts.)
import { BlockList, isIP } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { UnauthorizedError } from '../utils/errors';

function normalise(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function buildNetworkList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

function isForwarded(req: Request): boolean {
  return Boolean(req.headers['x-forwarded-for'] || req.headers.forwarded || req.headers['x-real-ip']);
}

function hasToken(req: Request, token: string | undefined): boolean {
  if (!token) return false;
  const match = /^Bearer\s+(\S+)$/.exec(req.get('authorization') ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Allows the scrape from the allowed networks (req.ip, which honours TRUST_PROXY) or with the
 * token. A loopback address only counts when no proxy header is present: behind a local nginx
 * every request arrives from 127.0.0.1, and that must not open /metrics to the internet.
 */
export function metricsAccess(options: { allowNetworks: readonly string[]; token: string | undefined }): RequestHandler {
  const networks = buildNetworkList(options.allowNetworks);
  const loopback = buildNetworkList([]);
  return (req, _res, next) => {
    if (hasToken(req, options.token)) return next();
    const address = normalise(req.ip ?? req.socket.remoteAddress ?? '');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const proxiedLoopback = isForwarded(req) && loopback.check(address, family);
    if (isIP(address) && !proxiedLoopback && networks.check(address, family)) return next();
    throw new UnauthorizedError('Metrics are available from allowed networks or with the metrics token', 'METRICS_ACCESS_DENIED');
  };
}
