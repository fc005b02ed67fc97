import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtelierError } from '../../../src/errors/index.js';
import { safeDownload } from '../../../src/security/safe-fetch.js';
import {
  assertFetchableUrl,
  createGuardedDispatcher,
  isForbiddenAddress,
  type HostResolver,
} from '../../../src/security/ssrf-guard.js';

describe('isForbiddenAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '100.64.0.1',
    '169.254.169.254',
    '0.0.0.0',
    '0.1.2.3',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '[::1]',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::127.0.0.1',
    '::7f00:1',
    '64:ff9b::10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    '2002:c0a8:101::1',
    '2001::1',
    'not-an-ip',
    '',
  ])('forbids %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
  ])('allows public %s', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(false);
  });
});

describe('assertFetchableUrl', () => {
  it('accepts ordinary public URLs', () => {
    expect(assertFetchableUrl('https://example.com/a.mp4?x=1').hostname).toBe('example.com');
    expect(assertFetchableUrl('http://8.8.8.8:8080/clip').port).toBe('8080');
  });

  it('rejects with a 400 url_forbidden naming the field', () => {
    try {
      assertFetchableUrl('http://user:pw@example.com/');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AtelierError);
      expect(error).toMatchObject({ status: 400, code: 'url_forbidden', param: 'url' });
    }
  });

  it('lets private literals through only with the explicit test escape hatch', () => {
    expect(() => assertFetchableUrl('http://127.0.0.1:9/')).toThrow(/not public/);
    expect(assertFetchableUrl('http://127.0.0.1:9/', { allowPrivateHosts: true }).port).toBe('9');
    expect(() => assertFetchableUrl('file:///etc/passwd', { allowPrivateHosts: true })).toThrow(/scheme/);
  });
});

describe('safeDownload through the guarded dispatcher', () => {
  let server: Server;
  let origin: string;
  let workDir: string;
  const served: string[] = [];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'atelier-safe-fetch-'));
    server = createServer((request, response) => {
      served.push(request.url ?? '');
      const url = new URL(request.url ?? '/', 'http://x');
      if (url.pathname === '/file') {
        response.setHeader('content-type', 'video/mp4');
        response.end(Buffer.alloc(1000, 7));
      } else if (url.pathname === '/redirect') {
        response.statusCode = 302;
        response.setHeader('location', url.searchParams.get('to') ?? '/file');
        response.end();
      } else if (url.pathname === '/loop') {
        response.statusCode = 301;
        response.setHeader('location', '/loop');
        response.end();
      } else if (url.pathname === '/big-declared') {
        response.setHeader('content-length', '5000');
        response.end(Buffer.alloc(5000));
      } else if (url.pathname === '/big-chunked') {
        response.write(Buffer.alloc(3000));
        response.end(Buffer.alloc(3000));
      } else if (url.pathname === '/slow') {
        response.write('x');
        setTimeout(() => response.end('y'), 2000).unref();
      } else {
        response.statusCode = 404;
        response.end('nope');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(workDir, { recursive: true, force: true });
  });

  const testDispatcher = createGuardedDispatcher({ allowPrivateHosts: true });
  const download = (url: string, maxBytes = 2000, timeoutMs = 5000) =>
    safeDownload(url, {
      dispatcher: testDispatcher,
      maxBytes,
      timeoutMs,
      destinationPath: join(workDir, `out-${served.length}-${Math.random()}`),
    });

  it('downloads, follows a redirect and writes the file atomically', async () => {
    const result = await download(`${origin}/redirect?to=/file`);
    expect(result).toMatchObject({ bytes: 1000, contentType: 'video/mp4', finalUrl: `${origin}/file` });
    expect((await readFile(result.path)).length).toBe(1000);
    expect((await readdir(workDir)).filter((name) => name.includes('.part-'))).toEqual([]);
  });

  it('caps size by Content-Length and by counting, leaving no partial file', async () => {
    await expect(download(`${origin}/big-declared`)).rejects.toMatchObject({
      status: 413,
      code: 'download_too_large',
    });
    await expect(download(`${origin}/big-chunked`)).rejects.toMatchObject({
      status: 413,
      code: 'download_too_large',
    });
    expect((await readdir(workDir)).filter((name) => name.includes('.part-'))).toEqual([]);
  });

  it('caps redirects, time and refuses error statuses with 4xx', async () => {
    await expect(download(`${origin}/loop`)).rejects.toMatchObject({
      status: 422,
      code: 'too_many_redirects',
    });
    await expect(download(`${origin}/slow`, 2000, 300)).rejects.toMatchObject({
      status: 408,
      code: 'download_timeout',
    });
    await expect(download(`${origin}/missing`)).rejects.toMatchObject({
      status: 422,
      code: 'download_failed',
    });
  });

  it('refuses at connect time a name whose DNS answer is private (rebinding)', async () => {
    const fakeDns: HostResolver = async (hostname) =>
      hostname === 'rebind.example'
        ? [{ address: '127.0.0.1', family: 4 }]
        : [{ address: '10.0.0.8', family: 4 }];
    const dispatcher = createGuardedDispatcher({ resolve: fakeDns });
    const port = new URL(origin).port;
    const before = served.length;
    await expect(
      safeDownload(`http://rebind.example:${port}/file`, {
        dispatcher,
        maxBytes: 2000,
        timeoutMs: 2000,
        destinationPath: join(workDir, 'rebind'),
      }),
    ).rejects.toMatchObject({ status: 400, code: 'url_forbidden' });
    expect(served.length).toBe(before);
  });
});
