import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { open } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Fetching a recording from a link the user sent, without letting the link
 * reach inside our network: only http(s), no credentials in the URL, every
 * address the host resolves to must be public (no loopback, private, link-local,
 * CGNAT, multicast or unspecified ranges, IPv4 or IPv6) — checked in the socket's
 * own DNS lookup, so the address connected to is the one checked (no DNS
 * rebinding) — at most 3 redirects, each checked again, a size limit while
 * streaming and one deadline for the whole download. `allowPrivate` lifts the
 * address rule (the sandbox and tests serve files on 127.0.0.1).
 */
export type LinkRefusal = 'bad_link' | 'private_address' | 'too_large' | 'unavailable' | 'web_page';

export class LinkRefusedError extends Error {
  constructor(
    readonly reason: LinkRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'LinkRefusedError';
  }
}

export interface LinkImportOptions {
  maxBytes: number;
  timeoutMs: number;
  allowPrivate: boolean;
  signal?: AbortSignal;
}

const MAX_REDIRECTS = 3;

/** Addresses a link may not reach (RFC 6890 special-purpose ranges that are not the public internet). */
const NOT_PUBLIC = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) NOT_PUBLIC.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address is outside the public internet (IPv4-mapped IPv6 addresses are judged as IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return NOT_PUBLIC.check(mapped, 'ipv4');
  const family = isIP(address);
  return family === 0 || NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A DNS lookup for the socket that refuses a host with any non-public address. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const refused = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (refused || !addresses.length) return callback(new LinkRefusedError('private_address', `${hostname} resolves to ${refused?.address ?? 'nothing'}`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The URL if it is one we fetch at all: http(s), no user:password. */
export function parseLink(text: string): URL | null {
  try {
    const url = new URL(text.trim());
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password ? url : null;
  } catch {
    return null;
  }
}

function get(url: URL, opts: LinkImportOptions, signal: AbortSignal): Promise<IncomingMessage> {
  // A literal IP skips DNS: it is checked here.
  if (!opts.allowPrivate && isIP(url.hostname.replace(/^\[|\]$/g, '')) && isPrivateAddress(url.hostname.replace(/^\[|\]$/g, ''))) {
    return Promise.reject(new LinkRefusedError('private_address', `${url.hostname} is not a public address`));
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { lookup: guardedLookup(opts.allowPrivate), signal, headers: { 'user-agent': 'AishaBot/1.0 (+link import)', accept: 'audio/*, video/*, */*;q=0.5' } }, resolve);
    req.on('error', reject);
  });
}

/**
 * Downloads `link` into `path`; returns the size and the content type.
 * Refusals are {@link LinkRefusedError}s with a reason the user is told;
 * anything else (a reset connection) is an ordinary error to retry.
 */
export async function downloadLink(link: string, path: string, opts: LinkImportOptions): Promise<{ sizeBytes: number; contentType?: string }> {
  let url = parseLink(link);
  if (!url) throw new LinkRefusedError('bad_link', 'not an http(s) link');
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
  for (let redirects = 0; ; redirects++) {
    const res = await get(url, opts, signal).catch((err: unknown) => {
      if (err instanceof LinkRefusedError) throw err;
      if ((err as { code?: string }).code === 'ENOTFOUND') throw new LinkRefusedError('unavailable', `${url!.hostname} does not resolve`);
      throw err;
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      const next = parseLink(new URL(res.headers.location, url).toString());
      if (!next || redirects >= MAX_REDIRECTS) throw new LinkRefusedError('bad_link', `redirect ${redirects + 1} to ${res.headers.location}`);
      url = next;
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new LinkRefusedError('unavailable', `HTTP ${status}`);
    }
    const contentType = res.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
    if (contentType === 'text/html' || contentType === 'application/xhtml+xml') {
      res.resume();
      throw new LinkRefusedError('web_page', `${url.host} answered with a web page`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      res.destroy();
      throw new LinkRefusedError('too_large', `${declared} bytes`);
    }
    const out = await open(path, 'w');
    try {
      let sizeBytes = 0;
      for await (const piece of res as AsyncIterable<Buffer>) {
        sizeBytes += piece.length;
        if (sizeBytes > opts.maxBytes) {
          res.destroy();
          throw new LinkRefusedError('too_large', `over ${opts.maxBytes} bytes`);
        }
        await out.write(piece);
      }
      return { sizeBytes, contentType };
    } finally {
      await out.close();
    }
  }
}
