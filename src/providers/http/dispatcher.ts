/** Pooled keep-alive connections per provider, through its proxy when it has one. */
import { Agent, ProxyAgent, Socks5ProxyAgent, type Dispatcher } from 'undici';

const poolOptions = {
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 300_000,
  connections: 512,
} as const;

export function createDispatcher(proxy?: string): Dispatcher {
  if (!proxy) return new Agent(poolOptions);
  if (/^socks5h?:\/\//.test(proxy))
    return new Socks5ProxyAgent(proxy.replace(/^socks5h:/, 'socks5:'), poolOptions);
  return new ProxyAgent({ uri: proxy, ...poolOptions });
}
