import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadLink, isPrivateAddress, LinkRefusedError, parseLink } from '../../lib/link-import';

/** A file server on loopback with the answers a link can get: a file, a web page, too big, redirects, 404. */
describe('lib/link-import', () => {
  const audio = Buffer.from('OggS fake audio bytes '.repeat(100));
  let server: http.Server;
  let base: string;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aisha-link-'));
    server = http.createServer((req, res) => {
      const path = req.url ?? '/';
      if (path === '/talk.ogg') return void res.writeHead(200, { 'content-type': 'audio/ogg', 'content-length': audio.length }).end(audio);
      if (path === '/page') return void res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>hi</html>');
      if (path === '/declared-big') return void res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': 5000 }).end(Buffer.alloc(5000));
      if (path === '/streamed-big') {
        res.writeHead(200, { 'content-type': 'audio/mpeg' }); // chunked, no length: the limit is counted while streaming
        for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1000));
        return void res.end();
      }
      const hops = /^\/hop\/(\d+)$/.exec(path);
      if (hops) return void res.writeHead(302, { location: Number(hops[1]) > 0 ? `/hop/${Number(hops[1]) - 1}` : '/talk.ogg' }).end();
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const open = { maxBytes: 4096, timeoutMs: 10_000, allowPrivate: true };
  const refusal = (p: Promise<unknown>) => p.then(() => 'downloaded', (err: unknown) => (err instanceof LinkRefusedError ? err.reason : `error: ${String(err)}`));

  it('tells public addresses from loopback, private, link-local, CGNAT, multicast and unique-local ones (IPv4, IPv6, IPv4-mapped)', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '::1', '::', 'fe80::1', 'fc00::1', 'fd12::3', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '93.184.216.34', '2001:4860:4860::8888', '::ffff:8.8.8.8']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('takes only http(s) links without credentials', () => {
    expect(parseLink('https://example.com/a.mp3')?.host).toBe('example.com');
    for (const bad of ['ftp://example.com/a.mp3', 'file:///etc/passwd', 'https://user:pass@example.com/a.mp3', 'not a link', 'javascript:alert(1)']) expect(parseLink(bad), bad).toBeNull();
  });

  it('refuses loopback by address and by name unless private addresses are allowed', async () => {
    const closed = { ...open, allowPrivate: false };
    expect(await refusal(downloadLink(`${base}/talk.ogg`, join(dir, 'a'), closed))).toBe('private_address');
    expect(await refusal(downloadLink(`${base.replace('127.0.0.1', 'localhost')}/talk.ogg`, join(dir, 'b'), closed))).toBe('private_address');
    expect(await refusal(downloadLink('http://[::1]:9/x', join(dir, 'c'), closed))).toBe('private_address');
    expect(await refusal(downloadLink('http://169.254.169.254/latest/meta-data/', join(dir, 'd'), closed))).toBe('private_address');
  });

  it('downloads a file (also after redirects) and refuses web pages, oversize files, redirect chains, 404s and other schemes', async () => {
    const got = await downloadLink(`${base}/talk.ogg`, join(dir, 'ok'), open);
    expect(got).toEqual({ sizeBytes: audio.length, contentType: 'audio/ogg' });
    expect((await readFile(join(dir, 'ok'))).equals(audio)).toBe(true);
    expect((await downloadLink(`${base}/hop/2`, join(dir, 'hops'), open)).sizeBytes).toBe(audio.length);
    expect(await refusal(downloadLink(`${base}/hop/3`, join(dir, 'x1'), open))).toBe('bad_link');
    expect(await refusal(downloadLink(`${base}/page`, join(dir, 'x2'), open))).toBe('web_page');
    expect(await refusal(downloadLink(`${base}/declared-big`, join(dir, 'x3'), open))).toBe('too_large');
    expect(await refusal(downloadLink(`${base}/streamed-big`, join(dir, 'x4'), open))).toBe('too_large');
    expect(await refusal(downloadLink(`${base}/nothing`, join(dir, 'x5'), open))).toBe('unavailable');
    expect(await refusal(downloadLink('ftp://127.0.0.1/a.mp3', join(dir, 'x6'), open))).toBe('bad_link');
  });
});
