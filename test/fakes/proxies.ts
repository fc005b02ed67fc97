/**
 * Two real proxies for tests: an HTTP CONNECT proxy and a SOCKS5 proxy (RFC 1928, no authentication),
 * each counting the tunnels it opened and the destinations asked for.
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';

export interface TestProxy {
  url: string;
  tunnels: string[];
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<TestProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createHttpServer((_request, response) => {
    response.writeHead(405).end('CONNECT only');
  });
  server.on('connect', (request, client: Socket, head: Buffer) => {
    const [host, port] = (request.url ?? '').split(':');
    tunnels.push(request.url ?? '');
    const upstream = connect(Number(port), host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
    }
  });
  return listen(server, 'http', tunnels, sockets);
}

export async function startSocks5Proxy(): Promise<TestProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    client.on('close', () => sockets.delete(client));
    client.once('data', (greeting: Buffer) => {
      if (greeting[0] !== 0x05) return client.destroy();
      client.write(Buffer.from([0x05, 0x00]));
      client.once('data', (request: Buffer) => {
        const addressType = request[3];
        let host: string;
        let offset: number;
        if (addressType === 0x01) {
          host = [...request.subarray(4, 8)].join('.');
          offset = 8;
        } else if (addressType === 0x03) {
          const length = request[4]!;
          host = request.subarray(5, 5 + length).toString();
          offset = 5 + length;
        } else {
          client.end(Buffer.from([0x05, 0x08, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
          return;
        }
        const port = request.readUInt16BE(offset);
        tunnels.push(`${host}:${port}`);
        const upstream = connect(port, host, () => {
          client.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
          upstream.pipe(client).pipe(upstream);
        });
        sockets.add(upstream);
        upstream.on('error', () => client.destroy());
        upstream.on('close', () => sockets.delete(upstream));
      });
    });
  });
  return listen(server, 'socks5', tunnels, sockets);
}

async function listen(
  server: ReturnType<typeof createTcpServer> | ReturnType<typeof createHttpServer>,
  scheme: string,
  tunnels: string[],
  sockets: Set<Socket>,
): Promise<TestProxy> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${scheme}://127.0.0.1:${port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
